// Probe-point providers: pattern matching with wildcards and argument kinds,
// the begin/end and timer families, their validation (stap 4.8's limits)
// and the -p2 spelling of resolved points.
#include <gtest/gtest.h>

#include "probes/families.h"
#include "probes/provider.h"
#include "test_support.h"

namespace utap {
namespace {

using probes::ArgKind;
using probes::BeginEndPoint;
using probes::Registry;
using probes::TimerPoint;

// A point parsed from "probe POINT {}"; owns the parse so that ranges and
// diagnostics stay valid.
struct Written {
  test::Parsed parsed;
  const ast::ProbePoint* point = nullptr;
};

Written parsePoint(const std::string& point) {
  Written w{test::parseScript("probe " + point + " {}")};
  EXPECT_TRUE(w.parsed.ok()) << w.parsed.rendered;
  if (!w.parsed.ok()) return w;
  auto* probe = dynamic_cast<const ast::ProbeDecl*>(w.parsed.file->decls.at(0).get());
  if (probe) w.point = &probe->points.at(0);
  return w;
}

const Registry& registry() {
  static const Registry r = Registry::standard();
  return r;
}

// The spellings of every pattern `point` matches, joined with " | ".
std::string matchesOf(const std::string& point) {
  Written w = parsePoint(point);
  if (!w.point) return "PARSE ERROR";
  std::string out;
  for (const Registry::Match& m : registry().match(*w.point)) out += (out.empty() ? "" : " | ") + m.pattern->spelling();
  return out;
}

struct Outcome {
  std::vector<std::unique_ptr<probes::ResolvedPoint>> points;
  std::vector<Diagnostic> diags;
  Written written;
};

// Resolves `point`, which must match exactly one pattern.
Outcome resolve(const std::string& point) {
  Outcome o{{}, {}, parsePoint(point)};
  if (!o.written.point) return o;
  auto matches = registry().match(*o.written.point);
  EXPECT_EQ(matches.size(), 1u) << point;
  if (matches.size() != 1) return o;
  Diagnostics& diags = *o.written.parsed.diags;
  size_t before = diags.all().size();
  o.points = registry().resolve(matches[0], *o.written.point, diags);
  o.diags.assign(diags.all().begin() + before, diags.all().end());
  return o;
}

// The text() of the single point `point` resolves to, or "ERROR: message".
std::string textOf(const std::string& point) {
  Outcome o = resolve(point);
  if (!o.diags.empty()) return "ERROR: " + o.diags[0].message;
  if (o.points.size() != 1) return "POINTS: " + std::to_string(o.points.size());
  return o.points[0]->text();
}

// ---- matching -------------------------------------------------------------------

TEST(ProbeRegistry, PatternSpelling) {
  probes::Pattern p{{{"timer", ArgKind::None}, {"ms", ArgKind::Number}, {"randomize", ArgKind::Number}}};
  EXPECT_EQ(p.spelling(), "timer.ms(number).randomize(number)");
  probes::Pattern q{{{"process", ArgKind::String}, {"function", ArgKind::String}, {"return", ArgKind::None}}};
  EXPECT_EQ(q.spelling(), "process(string).function(string).return");
}

TEST(ProbeRegistry, ComponentNameWildcards) {
  using probes::componentNameMatches;
  EXPECT_TRUE(componentNameMatches("timer", "timer"));
  EXPECT_FALSE(componentNameMatches("timer", "timers"));
  EXPECT_FALSE(componentNameMatches("ms", "msec"));
  EXPECT_TRUE(componentNameMatches("*", "anything"));
  EXPECT_TRUE(componentNameMatches("t*r", "timer"));
  EXPECT_TRUE(componentNameMatches("timer*", "timer"));
  EXPECT_TRUE(componentNameMatches("?s", "ms"));
  EXPECT_FALSE(componentNameMatches("?s", "sec"));
  EXPECT_FALSE(componentNameMatches("MS", "ms"));
  // Without '*' or '?', fnmatch's brackets do not apply.
  EXPECT_FALSE(componentNameMatches("[m]s", "ms"));
  EXPECT_TRUE(componentNameMatches("[m]s", "[m]s"));
}

TEST(ProbeRegistry, ArgumentKinds) {
  using probes::argumentMatches;
  ast::NumberLit number;
  ast::StringLit string;
  ast::Symbol symbol;
  EXPECT_TRUE(argumentMatches(nullptr, ArgKind::None));
  EXPECT_FALSE(argumentMatches(nullptr, ArgKind::Number));
  EXPECT_FALSE(argumentMatches(nullptr, ArgKind::String));
  EXPECT_TRUE(argumentMatches(&number, ArgKind::Number));
  EXPECT_FALSE(argumentMatches(&number, ArgKind::String));
  EXPECT_FALSE(argumentMatches(&number, ArgKind::None));
  EXPECT_TRUE(argumentMatches(&string, ArgKind::String));
  EXPECT_FALSE(argumentMatches(&string, ArgKind::Number));
  EXPECT_FALSE(argumentMatches(&symbol, ArgKind::Number));
}

TEST(ProbeRegistry, TimerStarMatchesOnlyTheArgumentlessProfile) { EXPECT_EQ(matchesOf("timer.*"), "timer.profile"); }

TEST(ProbeRegistry, StarAloneMatchesOneComponentPointsWithoutArgument) {
  EXPECT_EQ(matchesOf("*"), "begin | end | error | never");
  EXPECT_EQ(matchesOf("*(1)"), "begin(number) | end(number) | error(number)");
  EXPECT_EQ(matchesOf("*.*"),
            "timer.profile | procfs.read | procfs.write | process.begin | process.end | process.syscall");
  EXPECT_EQ(matchesOf("e*"), "end | error");
}

TEST(ProbeRegistry, ArgumentPresenceSelectsThePattern) {
  EXPECT_EQ(matchesOf("begin"), "begin");
  EXPECT_EQ(matchesOf("begin(1)"), "begin(number)");
  EXPECT_EQ(matchesOf("never"), "never");
  EXPECT_EQ(matchesOf("never(1)"), "");
  EXPECT_EQ(matchesOf("timer.ms"), "");
  EXPECT_EQ(matchesOf("timer.profile(1)"), "");
  EXPECT_EQ(matchesOf("timer.ms(1).randomize"), "");
}

TEST(ProbeRegistry, StringWhereNumberIsNeededDoesNotMatch) {
  EXPECT_EQ(matchesOf("begin(\"x\")"), "");
  EXPECT_EQ(matchesOf("timer.ms(\"1\")"), "");
  EXPECT_EQ(matchesOf("timer.ms(1).randomize(\"1\")"), "");
}

TEST(ProbeRegistry, WildcardsWithArguments) {
  EXPECT_EQ(matchesOf("timer.m*(5)"), "timer.ms(number) | timer.msec(number)");
  EXPECT_EQ(matchesOf("timer.*s(5)"),
            "timer.s(number) | timer.ms(number) | timer.us(number) | timer.ns(number) | timer.jiffies(number)");
  // hz takes no randomize, as in stap.
  EXPECT_EQ(matchesOf("timer.*(5).randomize(1)"),
            "timer.s(number).randomize(number) | timer.sec(number).randomize(number) | "
            "timer.ms(number).randomize(number) | timer.msec(number).randomize(number) | "
            "timer.us(number).randomize(number) | timer.usec(number).randomize(number) | "
            "timer.ns(number).randomize(number) | timer.nsec(number).randomize(number) | "
            "timer.jiffies(number).randomize(number)");
  EXPECT_EQ(matchesOf("timer.hz(1).randomize(1)"), "");
  EXPECT_EQ(matchesOf("timer.ms(5).*"), "");
}

TEST(ProbeRegistry, ComponentCountMustBeEqual) {
  EXPECT_EQ(matchesOf("timer"), "");
  EXPECT_EQ(matchesOf("begin.x"), "");
  EXPECT_EQ(matchesOf("timer.profile.tick"), "");
  EXPECT_EQ(matchesOf("kernel.function(\"f\")"), "");
}

TEST(ProbeRegistry, FamiliesInRegistrationOrder) {
  const auto& families = registry().families();
  ASSERT_EQ(families.size(), 4u);
  EXPECT_EQ(families[0]->name(), "begin/end");
  EXPECT_EQ(families[1]->name(), "timer");
  EXPECT_EQ(families[2]->name(), "procfs");
  EXPECT_EQ(families[3]->name(), "process");
}

TEST(ProbeRegistry, ProcfsPatterns) {
  EXPECT_EQ(matchesOf("procfs.read"), "procfs.read");
  EXPECT_EQ(matchesOf("procfs(\"a\").umask(2).read.maxsize(9)"), "procfs(string).umask(number).read.maxsize(number)");
  EXPECT_EQ(matchesOf("procfs(\"a\").write"), "procfs(string).write");
  // stap has no write buffer size, and the umask comes before read/write.
  EXPECT_EQ(matchesOf("procfs.write.maxsize(9)"), "");
  EXPECT_EQ(matchesOf("procfs.read.umask(2)"), "");
}

TEST(ProbeRegistry, ProcessPatterns) {
  EXPECT_EQ(matchesOf("process(\"p\").function(\"f\").call.return"), "process(string).function(string).call.return");
  EXPECT_EQ(matchesOf("process(1).library(\"l\").plt"), "process(number).library(string).plt");
  EXPECT_EQ(matchesOf("process(\"p\").provider(\"a\").mark(\"b\")"), "process(string).provider(string).mark(string)");
  EXPECT_EQ(matchesOf("process.thread.end"), "process.thread.end");
  EXPECT_EQ(matchesOf("process(7).statement(4096).absolute"), "process(number).statement(number).absolute");
  // An inlined copy has no return; stap has no .inline.return either.
  EXPECT_EQ(matchesOf("process(\"p\").function(\"f\").inline.return"), "");
  // Code probes need a program: process alone has only lifecycle events.
  EXPECT_EQ(matchesOf("process.function(\"f\")"), "");
  EXPECT_EQ(matchesOf("process(\"p\").statement(4096).absolute"), "");
}

TEST(ProbeRegistry, ResolvePassesArgumentsAndRanges) {
  // A family that records what the registry handed it.
  struct Recorder : probes::Family {
    std::vector<probes::Pattern> pats{{{{"a", ArgKind::String}, {"b", ArgKind::None}, {"c", ArgKind::Number}}}};
    mutable std::vector<probes::PointArg> seen;
    std::string_view name() const override { return "recorder"; }
    const std::vector<probes::Pattern>& patterns() const override { return pats; }
    std::vector<std::unique_ptr<probes::ResolvedPoint>> resolve(const probes::Pattern&,
                                                                const std::vector<probes::PointArg>& args,
                                                                const ast::ProbePoint&, Diagnostics&) const override {
      seen = args;
      return {};
    }
  };
  Registry r;
  auto owned = std::make_unique<Recorder>();
  const Recorder* rec = owned.get();
  r.add(std::move(owned));
  Written w = parsePoint("a(\"x\").b.c(-7)");
  ASSERT_TRUE(w.point);
  auto matches = r.match(*w.point);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].family, rec);
  EXPECT_TRUE(r.resolve(matches[0], *w.point, *w.parsed.diags).empty());
  ASSERT_EQ(rec->seen.size(), 3u);
  EXPECT_EQ(rec->seen[0].string, "x");
  EXPECT_FALSE(rec->seen[0].number);
  EXPECT_EQ(rec->seen[0].range.begin.column, 9u);  // probe a("x")
  EXPECT_FALSE(rec->seen[1].number || rec->seen[1].string);
  EXPECT_EQ(rec->seen[1].range.begin.column, 14u);  // the component b
  EXPECT_EQ(rec->seen[2].number, -7);
  EXPECT_EQ(rec->seen[2].range.begin.column, w.point->components[2].arg->range.begin.column);
}

// ---- begin, end, error, never -----------------------------------------------------

TEST(ProbeBeginEnd, Text) {
  EXPECT_EQ(textOf("begin"), "begin");
  EXPECT_EQ(textOf("begin(5)"), "begin(5)");
  EXPECT_EQ(textOf("begin(-5)"), "begin(-5)");
  EXPECT_EQ(textOf("begin(0x10)"), "begin(16)");
  EXPECT_EQ(textOf("end"), "end");
  EXPECT_EQ(textOf("end(3)"), "end(3)");
  EXPECT_EQ(textOf("error"), "error");
  EXPECT_EQ(textOf("error(0)"), "error(0)");
  EXPECT_EQ(textOf("never"), "never");
  EXPECT_EQ(textOf("begin(9223372036854775807)"), "begin(9223372036854775807)");
  EXPECT_EQ(textOf("begin(-9223372036854775808)"), "begin(-9223372036854775808)");
}

TEST(ProbeBeginEnd, KindAndSequence) {
  struct Case {
    const char* point;
    BeginEndPoint::Kind kind;
    int64_t sequence;
    bool hasSequence;
  } cases[] = {
      {"begin", BeginEndPoint::Kind::Begin, 0, false},   {"begin(-3)", BeginEndPoint::Kind::Begin, -3, true},
      {"end(7)", BeginEndPoint::Kind::End, 7, true},     {"error", BeginEndPoint::Kind::Error, 0, false},
      {"error(0)", BeginEndPoint::Kind::Error, 0, true}, {"never", BeginEndPoint::Kind::Never, 0, false},
  };
  for (const Case& c : cases) {
    Outcome o = resolve(c.point);
    ASSERT_EQ(o.points.size(), 1u) << c.point;
    EXPECT_TRUE(o.diags.empty()) << c.point;
    auto* p = dynamic_cast<const BeginEndPoint*>(o.points[0].get());
    ASSERT_TRUE(p) << c.point;
    EXPECT_EQ(p->kind, c.kind) << c.point;
    EXPECT_EQ(p->sequence, c.sequence) << c.point;
    EXPECT_EQ(p->hasSequence, c.hasSequence) << c.point;
    EXPECT_EQ(p->family().name(), "begin/end");
    EXPECT_FALSE(p->isReturn());
    EXPECT_FALSE(p->hasTargetVariables());
  }
}

// ---- timer ---------------------------------------------------------------------

TEST(ProbeTimer, TextAsStapPrintsIt) {
  EXPECT_EQ(textOf("timer.s(1)"), "timer.s(1)");
  EXPECT_EQ(textOf("timer.sec(2)"), "timer.sec(2)");
  EXPECT_EQ(textOf("timer.ms(100).randomize(10)"), "timer.ms(100).randomize(10)");
  EXPECT_EQ(textOf("timer.ms(100).randomize(0)"), "timer.ms(100).randomize(0)");
  EXPECT_EQ(textOf("timer.msec(1)"), "timer.msec(1)");
  EXPECT_EQ(textOf("timer.ms(0x10)"), "timer.ms(16)");
  EXPECT_EQ(textOf("timer.us(100).randomize(50)"), "timer.us(100).randomize(50)");
  EXPECT_EQ(textOf("timer.usec(100)"), "timer.usec(100)");
  EXPECT_EQ(textOf("timer.ns(100000)"), "timer.ns(100000)");
  EXPECT_EQ(textOf("timer.nsec(100000)"), "timer.nsec(100000)");
  EXPECT_EQ(textOf("timer.hz(3)"), "timer.hz(3)");
  EXPECT_EQ(textOf("timer.jiffies(10).randomize(2)"), "timer.jiffies(10).randomize(2)");
  EXPECT_EQ(textOf("timer.profile"), "timer.profile");
}

TEST(ProbeTimer, Fields) {
  Outcome o = resolve("timer.ms(100).randomize(10)");
  ASSERT_EQ(o.points.size(), 1u);
  auto* t = dynamic_cast<const TimerPoint*>(o.points[0].get());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->unit, TimerPoint::Unit::Ms);
  EXPECT_EQ(t->interval, 100);
  EXPECT_EQ(t->randomize, 10);
  EXPECT_EQ(t->intervalNs, 100'000'000);
  EXPECT_EQ(t->randomizeNs, 10'000'000);
  EXPECT_EQ(t->family().name(), "timer");

  struct Case {
    const char* point;
    TimerPoint::Unit unit;
    int64_t interval;
    std::optional<int64_t> intervalNs;
  } cases[] = {
      {"timer.sec(86400)", TimerPoint::Unit::S, 86400, 86'400'000'000'000},
      {"timer.usec(250)", TimerPoint::Unit::Us, 250, 250'000},
      {"timer.ns(100000)", TimerPoint::Unit::Ns, 100000, 100'000},
      {"timer.hz(3)", TimerPoint::Unit::Hz, 3, 333'333'334},  // rounded up, as stap
      {"timer.hz(10000)", TimerPoint::Unit::Hz, 10000, 100'000},
      {"timer.jiffies(5)", TimerPoint::Unit::Jiffies, 5, std::nullopt},
      {"timer.profile", TimerPoint::Unit::Profile, 0, std::nullopt},
  };
  for (const Case& c : cases) {
    Outcome r = resolve(c.point);
    ASSERT_EQ(r.points.size(), 1u) << c.point;
    auto* p = dynamic_cast<const TimerPoint*>(r.points[0].get());
    ASSERT_TRUE(p) << c.point;
    EXPECT_EQ(p->unit, c.unit) << c.point;
    EXPECT_EQ(p->interval, c.interval) << c.point;
    EXPECT_EQ(p->intervalNs, c.intervalNs) << c.point;
    EXPECT_FALSE(p->randomize) << c.point;
    EXPECT_FALSE(p->randomizeNs) << c.point;
  }
  Outcome j = resolve("timer.jiffies(10).randomize(3)");
  ASSERT_EQ(j.points.size(), 1u);
  auto* jp = dynamic_cast<const TimerPoint*>(j.points[0].get());
  EXPECT_EQ(jp->randomize, 3);
  EXPECT_FALSE(jp->randomizeNs);
}

// Each limit on both sides, as stap 4.8 -p2 accepts or rejects it.
TEST(ProbeTimer, IntervalLimits) {
  struct Case {
    const char* point;
    const char* result;
  } cases[] = {
      {"timer.ms(0)", "ERROR: timer interval out of range: 0 ms; it must be at least 1"},
      {"timer.ms(-1)", "ERROR: timer interval out of range: -1 ms; it must be at least 1"},
      {"timer.ms(1)", "timer.ms(1)"},
      {"timer.ms(86400000)", "timer.ms(86400000)"},
      {"timer.ms(86400001)", "ERROR: timer interval out of range: 86400001 ms; it must be at most 86400000"},
      {"timer.msec(0)", "ERROR: timer interval out of range: 0 msec; it must be at least 1"},
      {"timer.s(0)", "ERROR: timer interval out of range: 0 s; it must be at least 1"},
      {"timer.s(86400)", "timer.s(86400)"},
      {"timer.s(86401)", "ERROR: timer interval out of range: 86401 s; it must be at most 86400"},
      // stap multiplies by 1e9 first and wraps around to accept this one.
      {"timer.s(18446744074)", "ERROR: timer interval out of range: 18446744074 s; it must be at most 86400"},
      {"timer.sec(0)", "ERROR: timer interval out of range: 0 sec; it must be at least 1"},
      {"timer.us(99)", "ERROR: timer interval out of range: 99 us; it must be at least 100"},
      {"timer.us(100)", "timer.us(100)"},
      {"timer.us(86400000000)", "timer.us(86400000000)"},
      {"timer.us(86400000001)", "ERROR: timer interval out of range: 86400000001 us; it must be at most 86400000000"},
      {"timer.usec(1)", "ERROR: timer interval out of range: 1 usec; it must be at least 100"},
      {"timer.ns(0)", "ERROR: timer interval out of range: 0 ns; it must be at least 100000"},
      {"timer.ns(99999)", "ERROR: timer interval out of range: 99999 ns; it must be at least 100000"},
      {"timer.ns(100000)", "timer.ns(100000)"},
      {"timer.ns(86400000000000)", "timer.ns(86400000000000)"},
      {"timer.ns(86400000000001)",
       "ERROR: timer interval out of range: 86400000000001 ns; it must be at most 86400000000000"},
      {"timer.nsec(-9223372036854775808)",
       "ERROR: timer interval out of range: -9223372036854775808 nsec; it must be at least 100000"},
      {"timer.hz(0)", "ERROR: timer frequency out of range: 0 hz; it must be at least 1"},
      {"timer.hz(-1)", "ERROR: timer frequency out of range: -1 hz; it must be at least 1"},
      {"timer.hz(1)", "timer.hz(1)"},
      {"timer.hz(10000)", "timer.hz(10000)"},
      {"timer.hz(10001)", "ERROR: timer frequency out of range: 10001 hz; it must be at most 10000"},
      {"timer.hz(9223372036854775807)",
       "ERROR: timer frequency out of range: 9223372036854775807 hz; it must be at most 10000"},
      {"timer.jiffies(0)", "ERROR: timer interval out of range: 0 jiffies; it must be at least 1"},
      {"timer.jiffies(-1)", "ERROR: timer interval out of range: -1 jiffies; it must be at least 1"},
      {"timer.jiffies(1)", "timer.jiffies(1)"},
      {"timer.jiffies(1000000)", "timer.jiffies(1000000)"},
      {"timer.jiffies(1000001)", "ERROR: timer interval out of range: 1000001 jiffies; it must be at most 1000000"},
  };
  for (const Case& c : cases) EXPECT_EQ(textOf(c.point), c.result) << c.point;
}

TEST(ProbeTimer, RandomizeLimits) {
  struct Case {
    const char* point;
    const char* result;
  } cases[] = {
      {"timer.ms(100).randomize(0)", "timer.ms(100).randomize(0)"},
      {"timer.ms(100).randomize(99)", "timer.ms(100).randomize(99)"},
      {"timer.ms(100).randomize(100)", "timer.ms(100).randomize(100)"},
      {"timer.ms(100).randomize(101)",
       "ERROR: timer randomization out of range: 101 ms; it must be at most the interval, 100"},
      {"timer.ms(100).randomize(-1)", "ERROR: timer randomization out of range: -1 ms; it must be at least 0"},
      {"timer.ms(100).randomize(9223372036854775807)",
       "ERROR: timer randomization out of range: 9223372036854775807 ms; it must be at most the interval, 100"},
      {"timer.s(1).randomize(2)", "ERROR: timer randomization out of range: 2 s; it must be at most the interval, 1"},
      {"timer.sec(86400).randomize(86400)", "timer.sec(86400).randomize(86400)"},
      {"timer.ns(100000).randomize(100000)", "timer.ns(100000).randomize(100000)"},
      {"timer.jiffies(10).randomize(10)", "timer.jiffies(10).randomize(10)"},
      {"timer.jiffies(10).randomize(11)",
       "ERROR: timer randomization out of range: 11 jiffies; it must be at most the interval, 10"},
      {"timer.jiffies(10).randomize(-1)", "ERROR: timer randomization out of range: -1 jiffies; it must be at least 0"},
      // The interval is checked first, as in stap.
      {"timer.ms(0).randomize(-1)", "ERROR: timer interval out of range: 0 ms; it must be at least 1"},
  };
  for (const Case& c : cases) EXPECT_EQ(textOf(c.point), c.result) << c.point;
}

TEST(ProbeTimer, ErrorsAreReportedAtTheArgument) {
  Outcome o = resolve("timer.ms(0)");
  EXPECT_TRUE(o.points.empty());
  ASSERT_EQ(o.diags.size(), 1u);
  EXPECT_EQ(o.diags[0].kind, DiagKind::TimerIntervalOutOfRange);
  EXPECT_EQ(o.diags[0].severity, Severity::Error);
  EXPECT_EQ(o.diags[0].range.begin.line, 1u);
  EXPECT_EQ(o.diags[0].range.begin.column, 16u);  // "probe timer.ms(" is 15 columns

  Outcome r = resolve("timer.ms(100).randomize(-5)");
  EXPECT_TRUE(r.points.empty());
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].kind, DiagKind::TimerRandomizeOutOfRange);
  EXPECT_EQ(r.diags[0].range.begin.column, 31u);  // the '-' of -5
  EXPECT_EQ(r.diags[0].range.end.column, 32u);
}

}  // namespace
}  // namespace utap
