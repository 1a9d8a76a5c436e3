// Interrupts of the host process while a guest runs a streamed job (utap
// --vm, utap-guest -- CMD): the first SIGINT, SIGTERM or SIGHUP asks the job
// to stop (its end probes run, its output still arrives), a second kills
// the guest. SIGPIPE is ignored meanwhile, so that a closed stdout is an
// error the caller reports rather than the end of the process.
#pragma once

#include <signal.h>

#include <iterator>

#include "vm/guest.h"

namespace utap::vm {

// Installed for the object's lifetime; one at a time per process.
class InterruptForwarding {
 public:
  // `againMessage`: written to stderr when a second interrupt kills the
  // guest (a string literal: it must outlive the object).
  InterruptForwarding(const GuestControl& control, const char* againMessage);
  ~InterruptForwarding();
  InterruptForwarding(const InterruptForwarding&) = delete;
  InterruptForwarding& operator=(const InterruptForwarding&) = delete;

  // Interrupts received so far: more than 1 means the guest was killed.
  int count() const;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction saved_[std::size(kSignals)]{};
  struct sigaction savedPipe_ {};
};

}  // namespace utap::vm
