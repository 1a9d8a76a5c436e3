#include "vm/stream.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace utap::vm {

namespace {

// The ports' names, as the guest finds them in /sys/class/virtio-ports.
constexpr const char* kPortNames[4] = {"utap.ctl", "utap.out", "utap.err", "utap.in"};

// The request byte that kills the guest; any other is a signal number.
constexpr unsigned char kKillByte = 0xff;

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void writeByte(int fd, unsigned char byte) {
  // Non-blocking: a signal handler must not wait. A full pipe already holds
  // more requests than anyone can type.
  (void)!::write(fd, &byte, 1);
}

}  // namespace

GuestControl::GuestControl() {
  if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
}

GuestControl::~GuestControl() {
  closeFd(fds_[0]);
  closeFd(fds_[1]);
}

void GuestControl::requestStop(int signal) const {
  if (signal > 0 && signal < kKillByte) writeByte(fds_[1], static_cast<unsigned char>(signal));
}

void GuestControl::killGuest() const { writeByte(fds_[1], kKillByte); }

int GuestControl::takeRequest() const {
  unsigned char byte = 0;
  if (::read(fds_[0], &byte, 1) != 1) return 0;
  return byte == kKillByte ? -1 : byte;
}

StreamLink::~StreamLink() {
  for (int i = 0; i < 4; ++i) {
    closeFd(host_[i]);
    closeFd(guest_[i]);
  }
}

std::string StreamLink::open() {
  for (int i = 0; i < 4; ++i) {
    closeFd(host_[i]);
    closeFd(guest_[i]);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      return fmt::format("cannot make a socket pair for the guest's output: {}", std::strerror(errno));
    }
    host_[i] = pair[0];
    guest_[i] = pair[1];
    open_[i] = true;
  }
  controlText_.clear();
  job_ = running_ = ended_ = -1;
  anyJob_ = false;
  for (int i = 0; i < 3; ++i) {
    got_[i] = expected_[i] = 0;
    early_[i].clear();
  }
  stopSignal_ = 0;
  stopped_.assign(batch_.jobs.size(), false);
  inputPending_.clear();
  inputOpen_ = batch_.stdinFd >= 0;
  // Without input the port's host end closes now: the guest reads its end.
  if (inputOpen_)
    ::fcntl(host_[kIn], F_SETFL, ::fcntl(host_[kIn], F_GETFL) | O_NONBLOCK);
  else
    closeFd(host_[kIn]);
  return "";
}

std::vector<std::string> StreamLink::qemuArgs() {
  std::vector<std::string> args = {"-device", "virtio-serial-pci,id=utap_ports"};
  for (int i = 0; i < 4; ++i) {
    args.insert(args.end(),
                {"-chardev", fmt::format("socket,id=utap_port{},fd={}", i, 3 + i), "-device",
                 fmt::format("virtserialport,bus=utap_ports.0,chardev=utap_port{},name={}", i, kPortNames[i])});
  }
  return args;
}

void StreamLink::closeGuestEnds() {
  for (int& fd : guest_) closeFd(fd);
}

void StreamLink::addPollFds(std::vector<pollfd>& fds) const {
  for (int i = 0; i < 3; ++i) {
    if (open_[i]) fds.push_back({host_[i], POLLIN, 0});
  }
  // One side at a time: what stdin gave waits for the guest to take it.
  if (host_[kIn] >= 0 && !inputPending_.empty())
    fds.push_back({host_[kIn], POLLOUT, 0});
  else if (inputOpen_)
    fds.push_back({batch_.stdinFd, POLLIN, 0});
}

void StreamLink::forwardInput() {
  if (host_[kIn] < 0) return;
  if (inputPending_.empty() && inputOpen_) {
    pollfd p{batch_.stdinFd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      char buffer[64 * 1024];
      ssize_t n = ::read(batch_.stdinFd, buffer, sizeof buffer);
      if (n > 0)
        inputPending_.assign(buffer, static_cast<size_t>(n));
      else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        inputOpen_ = false;
    }
  }
  while (!inputPending_.empty()) {
    ssize_t n = ::send(host_[kIn], inputPending_.data(), inputPending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      // qemu is gone, or the port with it: nobody will read the rest.
      inputPending_.clear();
      inputOpen_ = false;
      break;
    }
    inputPending_.erase(0, static_cast<size_t>(n));
  }
  // Closing the host end is the guest's end of file, but qemu drops what it
  // has not read from the socket when it sees the close: wait until it has
  // read everything (and so put it in the guest's buffers).
  int unread = 0;
  if (!inputOpen_ && inputPending_.empty() && (::ioctl(host_[kIn], SIOCOUTQ, &unread) != 0 || unread == 0))
    closeFd(host_[kIn]);
}

bool StreamLink::readPort(int port) {
  char buffer[64 * 1024];
  ssize_t n = ::recv(host_[port], buffer, sizeof buffer, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) {
    open_[port] = false;
    return false;
  }
  if (port != kControl) {
    deliver(port, buffer, static_cast<size_t>(n));
    return true;
  }
  controlText_.append(buffer, static_cast<size_t>(n));
  for (size_t nl; (nl = controlText_.find('\n')) != std::string::npos;) {
    std::string line = controlText_.substr(0, nl);
    controlText_.erase(0, nl + 1);
    controlLine(line);
  }
  return true;
}

void StreamLink::service() {
  // The control port first: a job's "job N" line was written before any of
  // its output, so whatever output is ready now is known to be the job's.
  for (int port : {kControl, kOut, kErr}) {
    if (!open_[port]) continue;
    pollfd p{host_[port], POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) readPort(port);
  }
  forwardInput();
}

void StreamLink::drain() {
  for (int port : {kControl, kOut, kErr}) {
    // qemu has exited, so each socket ends once what it wrote is read.
    while (open_[port] && readPort(port)) {
    }
  }
}

void StreamLink::deliver(int port, const char* data, size_t size) {
  if (job_ < 0) {
    early_[port].append(data, size);
    return;
  }
  got_[port] += size;
  if (batch_.onOutput) {
    batch_.onOutput(static_cast<size_t>(job_), port == kOut ? GuestStream::kStdout : GuestStream::kStderr,
                    std::string_view(data, size));
  }
  ackIfComplete();
}

void StreamLink::controlLine(const std::string& line) {
  std::istringstream in(line);
  std::string word;
  long n = -1;
  in >> word >> n;
  if (n < 0 || static_cast<size_t>(n) >= batch_.jobs.size()) return;
  if (word == "job") {
    job_ = n;
    anyJob_ = true;
    got_[kOut] = got_[kErr] = 0;
    for (int port : {kOut, kErr}) {
      std::string early = std::move(early_[port]);
      early_[port].clear();
      if (!early.empty()) deliver(port, early.data(), early.size());
    }
  } else if (word == "running") {
    running_ = n;
    // A request may have come while the job was starting; and none may
    // start unsignalled after one.
    if (stopSignal_) {
      send(fmt::format("signal {}\n", stopSignal_));
      stopped_[n] = true;
    }
  } else if (word == "end") {
    in >> expected_[kOut] >> expected_[kErr];
    ended_ = n;
    running_ = -1;
    ackIfComplete();
  }
}

void StreamLink::ackIfComplete() {
  if (ended_ < 0 || ended_ != job_ || got_[kOut] < expected_[kOut] || got_[kErr] < expected_[kErr]) return;
  send(fmt::format("ack {}\n", ended_));
  ended_ = job_ = -1;
}

bool StreamLink::requestStop(int signal) {
  if (!anyJob_) return false;
  stopSignal_ = signal;
  // The guest also starts no job after this; the running one, if any, is
  // signalled now, and one that is starting will be when it reports in.
  send(fmt::format("signal {}\n", signal));
  if (running_ >= 0) stopped_[running_] = true;
  return true;
}

void StreamLink::send(const std::string& line) {
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    // MSG_NOSIGNAL: qemu may have exited; that is seen elsewhere.
    ssize_t n = ::send(host_[kControl], data, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace utap::vm
