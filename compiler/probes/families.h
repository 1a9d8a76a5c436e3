// The built-in probe-point families (begin/end/error/never, timer) and the
// resolved points they build, public so that codegen can read them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "probes/provider.h"

namespace utap::probes {

std::unique_ptr<Family> makeBeginEndFamily();
std::unique_ptr<Family> makeTimerFamily();
std::unique_ptr<Family> makeProcfsFamily();

// begin, begin(N), end, end(N), error, error(N), never.
class BeginEndPoint : public ResolvedPoint {
 public:
  enum class Kind { Begin, End, Error, Never };

  BeginEndPoint(const Family& family, Kind kind, std::optional<int64_t> sequence)
      : ResolvedPoint(family), kind(kind), sequence(sequence.value_or(0)), hasSequence(sequence.has_value()) {}
  std::string text() const override;

  const Kind kind;
  // The order among probes of one kind (stap's default is 0); ties run in
  // script order.
  const int64_t sequence;
  const bool hasSequence;
};

// timer.UNIT(N)[.randomize(M)], timer.hz(N), timer.profile.
class TimerPoint : public ResolvedPoint {
 public:
  enum class Unit { S, Ms, Us, Ns, Hz, Jiffies, Profile };

  TimerPoint(const Family& family, Unit unit, std::string unitName, int64_t interval, std::optional<int64_t> randomize);
  std::string text() const override;

  const Unit unit;
  // The unit as written ("sec" and "s" are the same unit), for text().
  const std::string unitName;
  // In `unit`; for Hz the frequency; 0 for Profile.
  const int64_t interval;
  // In `unit`, as written (0 is kept: stap prints it).
  const std::optional<int64_t> randomize;
  // The period in nanoseconds, rounded up for Hz as stap does; none for
  // Jiffies and Profile, whose length depends on the target kernel's HZ.
  const std::optional<int64_t> intervalNs;
  const std::optional<int64_t> randomizeNs;
};

// procfs[("PATH")][.umask(UMASK)].read[.maxsize(N)] and .write: a file
// /proc/systemtap/MODULE/PATH whose reads and writes run the probe.
class ProcfsPoint : public ResolvedPoint {
 public:
  ProcfsPoint(const Family& family, std::optional<std::string> writtenPath, std::optional<int64_t> umask, bool write,
              std::optional<int64_t> maxsize)
      : ResolvedPoint(family), writtenPath(std::move(writtenPath)), umask(umask), write(write), maxsize(maxsize) {}
  std::string text() const override;
  // Its one target variable, $value: the text read (set by a read probe)
  // or written (read by a write probe).
  bool hasTargetVariables() const override { return true; }

  // The file's path under the module's directory ("command" by default).
  const std::string& path() const;
  // The file permissions this probe asks for (stapprobes(3stap): 0400 for
  // a read probe, 0200 for a write probe; with a umask, 0444 or 0222
  // without the umask's bits); a file's mode is that of all its probes.
  int mode() const;

  const std::optional<std::string> writtenPath;
  const std::optional<int64_t> umask;
  const bool write;
  // A read probe's buffer size; none: STP_PROCFS_BUFSIZE.
  const std::optional<int64_t> maxsize;
};

}  // namespace utap::probes
