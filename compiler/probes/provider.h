// Probe-point providers: the families of built-in probe points (begin/end,
// timer, and later process/DWARF) and the registry that matches a written
// probe point against them.
//
// A family declares the patterns it serves ("timer.ms(number)",
// "timer.ms(number).randomize(number)"), so wildcards in written component
// names ("timer.*") are matched against patterns here, once, for every
// family; the family then only checks argument values and builds its
// resolved points. Pass 2 (sema) asks the registry; passes 3+ ask each
// resolved point's family how to emit it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast/ast.h"
#include "base/diagnostics.h"

namespace utap::probes {

enum class ArgKind { None, Number, String };

// One component of a pattern: a name (no wildcards) and what argument it takes.
struct PatternComponent {
  std::string name;
  ArgKind arg = ArgKind::None;
};

struct Pattern {
  std::vector<PatternComponent> components;
  std::string spelling() const;  // "timer.ms(number).randomize(number)"
};

// The argument a written point gave one matched component.
struct PointArg {
  std::optional<int64_t> number;
  std::optional<std::string> string;
  SourceRange range;  // the argument, or the component when it has none
};

class Family;

// One concrete probe point after matching: what later passes need to know
// about where and when a probe body runs.
class ResolvedPoint {
 public:
  explicit ResolvedPoint(const Family& family) : family_(family) {}
  virtual ~ResolvedPoint() = default;

  const Family& family() const { return family_; }
  // Canonical spelling, as stap prints it in -p2: "timer.ms(100).randomize(10)".
  virtual std::string text() const = 0;
  // A return probe: @entry() and $return are allowed.
  virtual bool isReturn() const { return false; }
  // Whether $variables can be resolved here at all (DWARF-backed points).
  virtual bool hasTargetVariables() const { return false; }

 private:
  const Family& family_;
};

// A family of built-in probe points.
class Family {
 public:
  virtual ~Family() = default;
  virtual std::string_view name() const = 0;  // "begin/end", "timer"
  virtual const std::vector<Pattern>& patterns() const = 0;
  // Builds the points for `pattern` (one of patterns()) given the written
  // arguments, one PointArg per pattern component. Reports an error (at the
  // offending argument) for an invalid value and returns nothing; may also
  // return several points (a function wildcard) or none without an error
  // (nothing matched: the caller reports or skips an optional point).
  virtual std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Pattern& pattern, const std::vector<PointArg>& args,
                                                              const ast::ProbePoint& written,
                                                              Diagnostics& diags) const = 0;
};

// Whether a written component name ('*' and '?' wildcards, fnmatch style)
// matches a pattern or alias component name.
bool componentNameMatches(std::string_view written, std::string_view name);

// Whether a written argument (null, a NumberLit or a StringLit) fits `kind`.
bool argumentMatches(const ast::Expr* written, ArgKind kind);

// Where a .function probe goes: the entry instruction (cheap: the kernel
// emulates the usual `push %rbp`), after the prologue (stap's place), or
// decided per probe from the target variables its body reads (the default).
enum class Placement : uint8_t { Auto, Entry, AfterPrologue };

// Settings of the families that depend on the command line.
struct ProviderOptions {
  Placement placement = Placement::Auto;  // --placement
  // -c CMD: process probes without a path or PID probe CMD's program, as
  // stap fills it in.
  std::string targetCommand;
};

class Registry {
 public:
  // A registry with every built-in family: begin, end, error, never, timer,
  // process.
  static Registry standard(const ProviderOptions& options = {});

  void add(std::unique_ptr<Family> family);

  // Every pattern of every family that `written` matches, in registration
  // order; no diagnostics.
  struct Match {
    const Family* family;
    const Pattern* pattern;
  };
  std::vector<Match> match(const ast::ProbePoint& written) const;

  // Resolves `written` through one match: collects its arguments and asks
  // the family.
  std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Match& match, const ast::ProbePoint& written,
                                                      Diagnostics& diags) const;

  const std::vector<std::unique_ptr<Family>>& families() const { return families_; }

 private:
  std::vector<std::unique_ptr<Family>> families_;
};

}  // namespace utap::probes
