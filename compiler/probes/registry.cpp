// Pattern spelling, wildcard and argument matching, and the registry.
#include <fnmatch.h>

#include "probes/families.h"
#include "probes/process.h"
#include "probes/provider.h"

namespace utap::probes {

std::string Pattern::spelling() const {
  std::string out;
  for (const PatternComponent& c : components) {
    if (!out.empty()) out += '.';
    out += c.name;
    if (c.arg == ArgKind::Number) out += "(number)";
    if (c.arg == ArgKind::String) out += "(string)";
  }
  return out;
}

bool componentNameMatches(std::string_view written, std::string_view name) {
  // Only '*' and '?' are wildcards in a probe point; without them, compare
  // plainly so that fnmatch's '[' and '\\' never apply.
  if (written.find_first_of("*?") == std::string_view::npos) return written == name;
  return fnmatch(std::string(written).c_str(), std::string(name).c_str(), 0) == 0;
}

bool argumentMatches(const ast::Expr* written, ArgKind kind) {
  switch (kind) {
    case ArgKind::None: return written == nullptr;
    case ArgKind::Number: return dynamic_cast<const ast::NumberLit*>(written) != nullptr;
    case ArgKind::String: return dynamic_cast<const ast::StringLit*>(written) != nullptr;
  }
  return false;
}

Registry Registry::standard(const ProviderOptions& options) {
  Registry r;
  r.add(makeBeginEndFamily());
  r.add(makeTimerFamily());
  r.add(makeProcfsFamily());
  r.add(makeProcessFamily(options));
  return r;
}

void Registry::add(std::unique_ptr<Family> family) { families_.push_back(std::move(family)); }

std::vector<Registry::Match> Registry::match(const ast::ProbePoint& written) const {
  std::vector<Match> out;
  for (const auto& family : families_) {
    for (const Pattern& pattern : family->patterns()) {
      if (pattern.components.size() != written.components.size()) continue;
      bool fits = true;
      for (size_t i = 0; fits && i < pattern.components.size(); ++i) {
        const ast::Component& w = written.components[i];
        const PatternComponent& p = pattern.components[i];
        fits = componentNameMatches(w.name, p.name) && argumentMatches(w.arg.get(), p.arg);
      }
      if (fits) out.push_back({family.get(), &pattern});
    }
  }
  return out;
}

std::vector<std::unique_ptr<ResolvedPoint>> Registry::resolve(const Match& match, const ast::ProbePoint& written,
                                                              Diagnostics& diags) const {
  std::vector<PointArg> args;
  args.reserve(written.components.size());
  for (const ast::Component& c : written.components) {
    PointArg a;
    a.range = c.range;
    if (const auto* n = dynamic_cast<const ast::NumberLit*>(c.arg.get())) {
      a.number = n->value;
      a.range = n->range;
    } else if (const auto* s = dynamic_cast<const ast::StringLit*>(c.arg.get())) {
      a.string = s->value;
      a.range = s->range;
    }
    args.push_back(std::move(a));
  }
  return match.family->resolve(*match.pattern, args, written, diags);
}

}  // namespace utap::probes
