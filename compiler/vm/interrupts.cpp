#include "vm/interrupts.h"

#include <unistd.h>

#include <atomic>
#include <cstring>

namespace utap::vm {

namespace {

// What the signal handler reads; set only while no interrupt can arrive.
const GuestControl* target = nullptr;
const char* againMessage = "";
// Lock-free, so the handler may update it.
std::atomic<int> interrupts{0};

void onInterrupt(int signal) {
  if (!target) return;
  if (interrupts.fetch_add(1) == 0) {
    target->requestStop(signal);
    return;
  }
  (void)!::write(STDERR_FILENO, againMessage, std::strlen(againMessage));
  target->killGuest();
}

}  // namespace

InterruptForwarding::InterruptForwarding(const GuestControl& control, const char* message) {
  target = &control;
  againMessage = message;
  interrupts = 0;
  struct sigaction sa {};
  sa.sa_handler = onInterrupt;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &sa, &saved_[i]);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &savedPipe_);
}

InterruptForwarding::~InterruptForwarding() {
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &saved_[i], nullptr);
  sigaction(SIGPIPE, &savedPipe_, nullptr);
  target = nullptr;
}

int InterruptForwarding::count() const { return interrupts.load(); }

}  // namespace utap::vm
