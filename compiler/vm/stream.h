// The host's side of a streaming batch (GuestBatch::onOutput): four
// virtio-serial ports (control, stdout, stderr, and the jobs' stdin), each a socket pair whose other end qemu is given, and
// the line protocol on the control port (its guest side is init_script.h).
#pragma once

#include <poll.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vm/guest.h"

namespace utap::vm {

class StreamLink {
 public:
  explicit StreamLink(const GuestBatch& batch) : batch_(batch) {}
  ~StreamLink();
  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;

  // Makes the socket pairs (again: one link serves one qemu). "" or an error.
  std::string open();
  // qemu's ends, to be passed as its descriptors 3 to 6, and qemu's
  // options that make them the ports.
  std::vector<int> guestFds() const { return {guest_[0], guest_[1], guest_[2], guest_[3]}; }
  static std::vector<std::string> qemuArgs();
  // Once qemu has them: only qemu holding them lets the host see EOF.
  void closeGuestEnds();

  // The host ends to poll, and the batch's stdin while it is forwarded
  // (appended to `fds`).
  void addPollFds(std::vector<pollfd>& fds) const;
  // Reads whatever is ready, hands output to the batch's onOutput, answers
  // the guest.
  void service();
  // After qemu exited: the rest of what it wrote.
  void drain();

  // A stop request for `signal` (GuestControl::requestStop). False when no
  // job has started yet: the caller abandons the boot instead.
  bool requestStop(int signal);
  // The jobs that were sent a stop request's signal, by index.
  const std::vector<bool>& stoppedJobs() const { return stopped_; }

 private:
  enum { kControl, kOut, kErr, kIn };
  // Reads one port's socket; false at its end.
  bool readPort(int port);
  void controlLine(const std::string& line);
  void deliver(int port, const char* data, size_t size);
  void ackIfComplete();
  void send(const std::string& line);
  // Moves the batch's stdin on to the guest, as far as each side allows.
  void forwardInput();

  const GuestBatch& batch_;
  int host_[4] = {-1, -1, -1, -1};
  int guest_[4] = {-1, -1, -1, -1};
  bool open_[4] = {};
  std::string controlText_;    // a line of the guest's not yet whole
  long job_ = -1;              // the job whose output is arriving
  bool anyJob_ = false;        // a job has started in this boot
  long running_ = -1;          // the job that may be signalled
  uint64_t got_[3] = {};       // bytes of job_'s output so far, per port
  long ended_ = -1;            // the job whose "end" waits for its output
  uint64_t expected_[3] = {};  // ... and its byte counts
  std::string early_[3];       // output before its "job" line (kept in order)
  int stopSignal_ = 0;
  bool inputOpen_ = false;    // the batch's stdin has not ended
  std::string inputPending_;  // read from it, not yet taken by the guest
  std::vector<bool> stopped_;
};

}  // namespace utap::vm
