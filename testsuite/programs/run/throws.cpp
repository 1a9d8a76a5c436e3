// `throws [N]`: catch_odd(N) calls risky(i) for i in 0..N-1 (default 10);
// risky throws std::runtime_error for odd i, which catch_odd catches, so
// N/2 throws and catches (libstdc++'s throw and catch markers fire for
// each) and catch_odd returns N/2. Prints nothing.
#include <cstdlib>
#include <stdexcept>

long sink;

__attribute__((noinline)) long risky(long i)
{
	if (i % 2)
		throw std::runtime_error("odd");
	return i;
}

__attribute__((noinline)) long catch_odd(long n)
{
	long caught = 0;

	for (long i = 0; i < n; i++) {
		try {
			sink = sink + risky(i);
		} catch (const std::runtime_error&) {
			caught++;
		}
	}
	return caught;
}

int main(int argc, char** argv)
{
	long n = argc > 1 ? std::atol(argv[1]) : 10;

	return catch_odd(n) == n / 2 ? 0 : 1;
}
