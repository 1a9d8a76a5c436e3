// The C++ call chain of the stack tests (utap.stacks): methods and
// functions in a namespace, whose names the stack prints demangled;
// main -> Chain::start -> Chain::through_library -> stack_lib_call
// (libstacklib.so) -> trampoline -> walk::sort_values -> qsort (libc) ->
// walk::compare -> walk::deep, where the tests' probe is.
#include <cstdlib>

#include "stacklib.h"

volatile int sink;

namespace walk {

__attribute__((noinline)) int deep(int x)
{
	sink = x;
	return x * 2;
}

__attribute__((noinline)) int compare(const void *a, const void *b)
{
	int x = *static_cast<const int *>(a), y = *static_cast<const int *>(b);
	int r = deep(x);

	sink = sink + r;
	return (x > y) - (x < y);
}

__attribute__((noinline)) int sort_values(int n)
{
	int v[2] = { n + 1, n };

	std::qsort(v, 2, sizeof(v[0]), compare);
	return v[0] + sink;
}

class Chain {
public:
	explicit Chain(int n) : n_(n) {}
	__attribute__((noinline)) int start() { return through_library() + 1; }

private:
	__attribute__((noinline)) int through_library();
	int n_;
};

}  // namespace walk

__attribute__((noinline)) int trampoline(int n)
{
	return walk::sort_values(n) + sink;
}

namespace walk {

int Chain::through_library()
{
	return stack_lib_call(trampoline, n_) + sink;
}

}  // namespace walk

int main(int argc, char **)
{
	walk::Chain chain(argc);
	return chain.start() > 0 ? 0 : 1;
}
