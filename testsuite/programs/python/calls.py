# A small Python program for process("python3.11").mark("function__entry").
def numbers(n):
    for i in range(n):
        yield i


def squares(n):
    return sum(i * i for i in range(n))


total = sum(numbers(5)) + squares(3)
