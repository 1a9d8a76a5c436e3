"""fib.py - a small Python program for utap's python_calls example:
fib(3) makes 5 calls of fib, fib(5) 15."""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def report(n):
    print(f"fib({n}) = {fib(n)}")


def main():
    for n in (3, 5):
        report(n)


main()
