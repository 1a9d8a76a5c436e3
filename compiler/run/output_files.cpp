#include "run/output_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace utap::run {

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

namespace {

bool parseNumber(const std::string& text, unsigned long max, unsigned long& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  out = std::strtoul(text.c_str(), nullptr, 10);
  return errno == 0 && out >= 1 && out <= max;
}

}  // namespace

bool parseOutputLimits(const std::string& text, OutputLimits& limits, std::string& error) {
  size_t comma = text.find(',');
  unsigned long size = 0, count = 0;
  if (!parseNumber(text.substr(0, comma), 4096 * 1024, size) ||
      (comma != std::string::npos && !parseNumber(text.substr(comma + 1), 1u << 20, count))) {
    error = fmt::format("-S takes SIZE[,N]: the size of each output file in megabytes and how many files to keep, "
                        "both whole numbers from 1 ('{}' is not)",
                        text);
    return false;
  }
  limits.sizeBytes = static_cast<uint64_t>(size) << 20;
  limits.count = static_cast<unsigned>(count);
  return true;
}

OutputFiles::~OutputFiles() {
  if (fd_ > STDOUT_FILENO) ::close(fd_);
}

std::string OutputFiles::nameOf(unsigned number) const {
  // stapio: FILE, then FILE.1, FILE.2 ...; with -S FILE.0 from the start.
  if (number == 0 && !limits_.sizeBytes) return path_;
  return fmt::format("{}.{}", path_, number);
}

bool OutputFiles::openNumber(unsigned number, std::string& error) {
  std::string name = nameOf(number);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot write '{}': {}", name, std::strerror(errno));
    return false;
  }
  if (fd_ > STDOUT_FILENO) ::close(fd_);
  fd_ = fd;
  number_ = number;
  written_ = 0;
  // -S SIZE,N: only the newest N files are kept.
  if (limits_.count && number >= limits_.count) ::unlink(nameOf(number - limits_.count).c_str());
  return true;
}

bool OutputFiles::open(std::string& error) {
  if (path_.empty()) {
    fd_ = STDOUT_FILENO;
    return true;
  }
  return openNumber(0, error);
}

bool OutputFiles::write(std::string_view data, std::string& error) {
  if (fd_ < 0) return true;  // an earlier failure was reported
  // As stapio: a file is switched before the write that follows the one
  // that took it past the size limit.
  if (!path_.empty() && limits_.sizeBytes && written_ > limits_.sizeBytes && !openNumber(number_ + 1, error)) {
    fd_ = -1;
    return false;
  }
  if (!writeAll(fd_, data)) {
    error = fmt::format("cannot write the output{}: {}", path_.empty() ? "" : " to '" + nameOf(number_) + "'",
                        std::strerror(errno));
    fd_ = -1;
    return false;
  }
  written_ += data.size();
  return true;
}

bool OutputFiles::switchFile(std::string& error) {
  if (path_.empty() || fd_ < 0) return true;
  if (!openNumber(number_ + 1, error)) {
    fd_ = -1;
    return false;
  }
  return true;
}

namespace frames {

namespace {

std::string frame(char kind, std::string_view payload) {
  std::string out(5, '\0');
  out[0] = kind;
  auto len = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(len >> (8 * i) & 0xff);
  out.append(payload);
  return out;
}

}  // namespace

std::string output(std::string_view data) { return frame('O', data); }
std::string switchFile() { return frame('S', {}); }

bool Reader::feed(std::string_view bytes, const Sink& sink) {
  buffer_.append(bytes);
  size_t at = 0;
  bool ok = true;
  while (ok && buffer_.size() - at >= 5) {
    char kind = buffer_[at];
    if (kind != 'O' && kind != 'S') {
      ok = false;
      break;
    }
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= static_cast<uint32_t>(static_cast<unsigned char>(buffer_[at + 1 + i])) << (8 * i);
    if (buffer_.size() - at - 5 < len) break;
    ok = sink(kind, std::string_view(buffer_).substr(at + 5, len));
    at += 5 + len;
  }
  buffer_.erase(0, at);
  return ok;
}

}  // namespace frames

}  // namespace utap::run
