// Where a script's output goes, as stap's stapio writes it: standard
// output, or -o FILE; with -S SIZE[,N] the files FILE.0, FILE.1, ... (the
// next once SIZE megabytes are written, at most N kept); switch_file()
// (a UTAP_RECORD_SWITCH_FILE record) moves to the next file at once
// (FILE.1, FILE.2, ... after FILE without -S).
//
// Under --vm the guest's utaprun cannot write the host's files: it sends
// its output as frames (OutputFrames::Writer) that the host's utap reads
// back into an OutputFiles (OutputFrames::Reader).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace utap::run {

// Writes all of `data` to `fd` (across short writes and EINTR); false on an
// error, with errno set.
bool writeAll(int fd, std::string_view data);

struct OutputLimits {
  uint64_t sizeBytes = 0;  // -S SIZE, in bytes; 0: no limit
  unsigned count = 0;      // -S SIZE,N; 0: keep every file
};

// "SIZE[,N]" (SIZE in megabytes) into `limits`; false, with a sentence in
// `error`, when it is not that.
bool parseOutputLimits(const std::string& text, OutputLimits& limits, std::string& error);

class OutputFiles {
 public:
  // `path` empty: standard output (switches and limits do nothing).
  OutputFiles(std::string path, OutputLimits limits) : path_(std::move(path)), limits_(limits) {}
  ~OutputFiles();
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;

  // Opens the first file. False with a sentence in `error`.
  bool open(std::string& error);
  bool write(std::string_view data, std::string& error);
  // switch_file(): later output goes to the next file.
  bool switchFile(std::string& error);
  // The descriptor output goes to now (system() commands write there too).
  int fd() const { return path_.empty() ? 1 : fd_; }

 private:
  std::string nameOf(unsigned number) const;
  bool openNumber(unsigned number, std::string& error);

  std::string path_;
  OutputLimits limits_;
  int fd_ = -1;
  unsigned number_ = 0;   // the file being written (FILE.number_)
  uint64_t written_ = 0;  // bytes in it
};

// The frames of --vm: a kind byte ('O' output, 'S' switch), the payload's
// length (4 bytes, little-endian), the payload.
namespace frames {

std::string output(std::string_view data);
std::string switchFile();

// Turns a byte stream back into frames, across any chunking.
class Reader {
 public:
  using Sink = std::function<bool(char kind, std::string_view payload)>;
  // False when `sink` returns false or the bytes are not frames.
  bool feed(std::string_view bytes, const Sink& sink);
  // Bytes of an unfinished frame left at the end of the stream.
  size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace frames

}  // namespace utap::run
