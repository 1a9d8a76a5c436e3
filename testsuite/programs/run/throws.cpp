// `throws [N]`: calls risky(i) for i in 0..N-1 (default 10); it throws
// std::runtime_error for odd i, which main catches: N/2 throws and catches
// (libstdc++'s throw and catch markers fire for each). Prints nothing.
#include <cstdlib>
#include <stdexcept>

long sink;

__attribute__((noinline)) long risky(long i)
{
	if (i % 2)
		throw std::runtime_error("odd");
	return i;
}

int main(int argc, char** argv)
{
	long n = argc > 1 ? std::atol(argv[1]) : 10;
	long caught = 0;

	for (long i = 0; i < n; i++) {
		try {
			sink = sink + risky(i);
		} catch (const std::runtime_error&) {
			caught++;
		}
	}
	return caught == n / 2 ? 0 : 1;
}
