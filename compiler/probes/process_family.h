// The process family itself, internal to compiler/probes: its patterns
// and options. process.cpp builds it and spells
// points; process_resolve.cpp resolves written points through it.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "probes/process.h"

namespace utap::probes {

class ProcessFamily : public Family {
 public:
  explicit ProcessFamily(const ProviderOptions& options);

  std::string_view name() const override { return "process"; }
  const std::vector<Pattern>& patterns() const override { return patterns_; }
  std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Pattern& pattern, const std::vector<PointArg>& args,
                                                      const ast::ProbePoint& written,
                                                      Diagnostics& diags) const override;

  // The module at `path`, opened once per run for every point naming it.
  std::shared_ptr<const dwarf::Module> open(const std::string& path, std::string* error) const {
    return dwarf::Module::cached(path, error);
  }
  Placement placement() const { return placement_; }
  const std::string& targetCommand() const { return targetCommand_; }
  // True the first time it is asked about `path`: warn about missing debug
  // information once per module, not once per point.
  bool firstWithoutDebugInfo(const std::string& path) const { return warnedNoDebug_.insert(path).second; }

 private:
  void add(const std::vector<PatternComponent>& process, const std::vector<PatternComponent>& library,
           const std::vector<PatternComponent>& suffix);

  Placement placement_;
  std::string targetCommand_;
  std::vector<Pattern> patterns_;
  mutable std::set<std::string> warnedNoDebug_;
};

inline std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace utap::probes
