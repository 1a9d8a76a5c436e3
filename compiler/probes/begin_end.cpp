// begin, end, error and never: probes run by the module itself rather than
// by a kernel event. The optional number orders probes of one kind.
#include <fmt/format.h>

#include "probes/families.h"

namespace utap::probes {

namespace {

struct KindName {
  BeginEndPoint::Kind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {BeginEndPoint::Kind::Begin, "begin"},
    {BeginEndPoint::Kind::End, "end"},
    {BeginEndPoint::Kind::Error, "error"},
    {BeginEndPoint::Kind::Never, "never"},
};

const char* nameOf(BeginEndPoint::Kind kind) {
  for (const KindName& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

class BeginEndFamily : public Family {
 public:
  BeginEndFamily() {
    for (const KindName& k : kKinds) {
      patterns_.push_back({{{k.name, ArgKind::None}}});
      // never takes no sequence number in stap.
      if (k.kind != BeginEndPoint::Kind::Never) patterns_.push_back({{{k.name, ArgKind::Number}}});
    }
  }

  std::string_view name() const override { return "begin/end"; }
  const std::vector<Pattern>& patterns() const override { return patterns_; }

  std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Pattern& pattern, const std::vector<PointArg>& args,
                                                      const ast::ProbePoint& written,
                                                      Diagnostics& diags) const override {
    std::vector<std::unique_ptr<ResolvedPoint>> out;
    const std::string& name = pattern.components.at(0).name;
    for (const KindName& k : kKinds) {
      if (name != k.name) continue;
      // Every int64 is a valid sequence, negative ones included, as in stap.
      out.push_back(std::make_unique<BeginEndPoint>(*this, k.kind, args.at(0).number));
    }
    return out;
  }

 private:
  std::vector<Pattern> patterns_;
};

}  // namespace

std::string BeginEndPoint::text() const {
  if (!hasSequence) return nameOf(kind);
  return fmt::format("{}({})", nameOf(kind), sequence);
}

std::unique_ptr<Family> makeBeginEndFamily() { return std::make_unique<BeginEndFamily>(); }

}  // namespace utap::probes
