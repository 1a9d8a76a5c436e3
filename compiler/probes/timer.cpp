// timer.*: periodic probes. The limits are stap 4.8's (tapset-timers.cxx):
// wall-clock units run on hrtimers and must give a period from 100us to one
// day; jiffies run on a timer_list and stay within 1..1000000 so the values
// fit a plain int; hz has no randomize; a randomization lies in 0..interval.
#include <fmt/format.h>

#include "probes/families.h"

namespace utap::probes {

namespace {

constexpr int64_t kMinNs = 100'000;                   // stap: 100us "seems like a reasonable minimum"
constexpr int64_t kMaxNs = 86'400LL * 1'000'000'000;  // stap: one day
constexpr int64_t kMaxJiffies = 1'000'000;
// The largest frequency whose period, rounded up as stap does, is >= kMinNs.
constexpr int64_t kMaxHz = 1'000'000'000 / kMinNs;

struct UnitInfo {
  const char* name;
  TimerPoint::Unit unit;
  int64_t nsPerUnit;  // 0: not a fixed length of time
  bool randomize;
};
constexpr UnitInfo kUnits[] = {
    {"s", TimerPoint::Unit::S, 1'000'000'000, true}, {"sec", TimerPoint::Unit::S, 1'000'000'000, true},
    {"ms", TimerPoint::Unit::Ms, 1'000'000, true},   {"msec", TimerPoint::Unit::Ms, 1'000'000, true},
    {"us", TimerPoint::Unit::Us, 1'000, true},       {"usec", TimerPoint::Unit::Us, 1'000, true},
    {"ns", TimerPoint::Unit::Ns, 1, true},           {"nsec", TimerPoint::Unit::Ns, 1, true},
    {"jiffies", TimerPoint::Unit::Jiffies, 0, true}, {"hz", TimerPoint::Unit::Hz, 0, false},
};

const UnitInfo* unitNamed(std::string_view name) {
  for (const UnitInfo& u : kUnits)
    if (name == u.name) return &u;
  return nullptr;
}

std::optional<int64_t> periodNs(TimerPoint::Unit unit, int64_t interval) {
  switch (unit) {
    case TimerPoint::Unit::Hz:
      // Rounded up, as stap does; written so that it cannot overflow.
      if (interval <= 0) return std::nullopt;
      return 1'000'000'000 / interval + (1'000'000'000 % interval != 0);
    case TimerPoint::Unit::Jiffies:
    case TimerPoint::Unit::Profile: return std::nullopt;
    default: break;
  }
  for (const UnitInfo& u : kUnits)
    if (u.unit == unit) return interval * u.nsPerUnit;
  return std::nullopt;
}

class TimerFamily : public Family {
 public:
  TimerFamily() {
    for (const UnitInfo& u : kUnits) {
      patterns_.push_back({{{"timer", ArgKind::None}, {u.name, ArgKind::Number}}});
      if (u.randomize)
        patterns_.push_back({{{"timer", ArgKind::None}, {u.name, ArgKind::Number}, {"randomize", ArgKind::Number}}});
    }
    patterns_.push_back({{{"timer", ArgKind::None}, {"profile", ArgKind::None}}});
  }

  std::string_view name() const override { return "timer"; }
  const std::vector<Pattern>& patterns() const override { return patterns_; }

  std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Pattern& pattern, const std::vector<PointArg>& args,
                                                      const ast::ProbePoint& written,
                                                      Diagnostics& diags) const override {
    std::vector<std::unique_ptr<ResolvedPoint>> out;
    const std::string& unitName = pattern.components.at(1).name;
    if (unitName == "profile") {
      out.push_back(std::make_unique<TimerPoint>(*this, TimerPoint::Unit::Profile, unitName, 0, std::nullopt));
      return out;
    }
    const UnitInfo* u = unitNamed(unitName);
    if (!u) return out;
    const PointArg& intervalArg = args.at(1);
    int64_t interval = intervalArg.number.value_or(0);
    std::optional<int64_t> randomize;
    if (pattern.components.size() == 3) randomize = args.at(2).number;

    // Checked in units rather than after scaling to ns as stap does, so that
    // timer.s(18446744074) is rejected instead of wrapping around.
    int64_t min = 1, max = 0;
    const char* what = "interval";
    if (u->unit == TimerPoint::Unit::Hz) {
      what = "frequency";
      max = kMaxHz;
    } else if (u->unit == TimerPoint::Unit::Jiffies) {
      max = kMaxJiffies;
    } else {
      min = u->nsPerUnit < kMinNs ? kMinNs / u->nsPerUnit : 1;
      max = kMaxNs / u->nsPerUnit;
    }
    if (interval < min || interval > max) {
      diags.report(DiagKind::TimerIntervalOutOfRange, intervalArg.range, what, interval, unitName,
                   interval < min ? fmt::format("at least {}", min) : fmt::format("at most {}", max));
      return out;
    }
    if (randomize && (*randomize < 0 || *randomize > interval)) {
      diags.report(DiagKind::TimerRandomizeOutOfRange, args.at(2).range, *randomize, unitName,
                   *randomize < 0 ? std::string("at least 0") : fmt::format("at most the interval, {}", interval));
      return out;
    }
    out.push_back(std::make_unique<TimerPoint>(*this, u->unit, unitName, interval, randomize));
    return out;
  }

 private:
  std::vector<Pattern> patterns_;
};

}  // namespace

TimerPoint::TimerPoint(const Family& family, Unit unit, std::string unitName, int64_t interval,
                       std::optional<int64_t> randomize)
    : ResolvedPoint(family),
      unit(unit),
      unitName(std::move(unitName)),
      interval(interval),
      randomize(randomize),
      intervalNs(periodNs(unit, interval)),
      randomizeNs(randomize && intervalNs ? periodNs(unit, *randomize) : std::nullopt) {}

std::string TimerPoint::text() const {
  // stap's timer.profile is an alias that now resolves to a perf probe; ours
  // stays a built-in tick on every CPU, so it keeps its written name.
  if (unit == Unit::Profile) return "timer.profile";
  std::string out = fmt::format("timer.{}({})", unitName, interval);
  if (randomize) out += fmt::format(".randomize({})", *randomize);
  return out;
}

std::unique_ptr<Family> makeTimerFamily() { return std::make_unique<TimerFamily>(); }

}  // namespace utap::probes
