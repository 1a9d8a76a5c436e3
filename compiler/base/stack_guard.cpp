#include "base/stack_guard.h"

#include <pthread.h>

#include <cstdint>
#include <exception>
#include <stdexcept>

namespace utap {

namespace {

thread_local uintptr_t stackTop = 0;    // address near the thread's first frame
thread_local uintptr_t stackBudget = 0;  // bytes recursion may use below it

struct Job {
  const std::function<void()>* work;
  size_t bytes;
  std::exception_ptr error;
};

void* runJob(void* arg) {
  auto* job = static_cast<Job*>(arg);
  char marker;
  stackTop = reinterpret_cast<uintptr_t>(&marker);
  // Leave a quarter of the stack for the frames between two checks and for
  // library code (ANTLR's prediction, destructors) below the last check.
  stackBudget = job->bytes / 4 * 3;
  try {
    (*job->work)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

void runWithLargeStack(size_t bytes, const std::function<void()>& work) {
  Job job{&work, bytes, nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, runJob, &job);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    // No thread: run here, without the extra headroom.
    work();
    return;
  }
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
}

bool stackExhausted() {
  if (stackTop == 0) return false;
  char marker;
  uintptr_t here = reinterpret_cast<uintptr_t>(&marker);
  return here < stackTop && stackTop - here > stackBudget;
}

}  // namespace utap
