// Deep input (10 MB of nested parentheses, a 100,000-term sum) must give an
// error, not a stack overflow. The front end runs on a thread with a large
// stack, and recursive code asks stackExhausted() before going deeper.
#pragma once

#include <functional>

namespace utap {

// Runs `work` on a thread whose stack is `bytes` large and waits for it.
void runWithLargeStack(size_t bytes, const std::function<void()>& work);

// True once the current thread has used most of the stack that
// runWithLargeStack gave it (always false on other threads).
bool stackExhausted();

}  // namespace utap
