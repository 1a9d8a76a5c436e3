// thrower N - throws and catches C++ exceptions of three kinds, for
// utap's cxx_exceptions example: for i in 0..N-1, parse() throws a
// ParseError when i % 3 == 1 and std::vector::at() a std::out_of_range
// when i % 3 == 2; main catches both.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

struct ParseError : std::runtime_error {
	ParseError() : std::runtime_error("bad input") {}
};

__attribute__((noinline)) static int parse(int i)
{
	if (i % 3 == 1)
		throw ParseError();
	std::vector<int> v(2, i);
	return v.at(i % 3 == 2 ? 5 : 0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 30, parse_errors = 0, ranges = 0;

	for (int i = 0; i < n; i++) {
		try {
			parse(i);
		} catch (const ParseError &) {
			parse_errors++;
		} catch (const std::out_of_range &) {
			ranges++;
		}
	}
	std::printf("%d parse errors, %d out of range\n", parse_errors, ranges);
	return 0;
}
