// procfs probes (stapprobes(3stap), PROCFS): files under
// /proc/systemtap/MODULE that run a probe when read or written. The path is
// relative to the module's directory, without empty, "." or ".."
// components; a read probe's buffer is MAXSIZE bytes.
#include <fmt/format.h>

#include "probes/families.h"

namespace utap::probes {

namespace {

// Why `path` cannot name a file under the module's directory, or "".
std::string pathProblem(const std::string& path) {
  if (path.empty() || path.back() == '/') return "a procfs path cannot end with a '/'";
  if (path.front() == '/') return "a procfs path cannot start with a '/'; it is relative to /proc/systemtap/MODULE";
  for (size_t at = 0; at <= path.size();) {
    size_t end = path.find('/', at);
    if (end == std::string::npos) end = path.size();
    std::string_view component(path.data() + at, end - at);
    if (component.empty()) return "a procfs path component cannot be empty ('//')";
    if (component == "." || component == "..") return "a procfs path cannot contain '.' or '..' components";
    at = end + 1;
  }
  return "";
}

class ProcfsFamily : public Family {
 public:
  ProcfsFamily() {
    for (bool named : {false, true})
      for (bool umask : {false, true})
        for (int kind = 0; kind < 3; ++kind) {
          Pattern p;
          p.components.push_back({"procfs", named ? ArgKind::String : ArgKind::None});
          if (umask) p.components.push_back({"umask", ArgKind::Number});
          p.components.push_back({kind == 2 ? "write" : "read", ArgKind::None});
          if (kind == 1) p.components.push_back({"maxsize", ArgKind::Number});
          patterns_.push_back(std::move(p));
        }
  }

  std::string_view name() const override { return "procfs"; }
  const std::vector<Pattern>& patterns() const override { return patterns_; }

  std::vector<std::unique_ptr<ResolvedPoint>> resolve(const Pattern& pattern, const std::vector<PointArg>& args,
                                                      const ast::ProbePoint&, Diagnostics& diags) const override {
    std::vector<std::unique_ptr<ResolvedPoint>> out;
    std::optional<std::string> path = args.at(0).string;
    if (path) {
      if (std::string why = pathProblem(*path); !why.empty()) {
        diags.report(DiagKind::BadProcfsPoint, args.at(0).range, why);
        return out;
      }
    }
    std::optional<int64_t> umask, maxsize;
    bool write = false;
    for (size_t i = 1; i < pattern.components.size(); ++i) {
      const std::string& name = pattern.components[i].name;
      if (name == "umask") umask = args.at(i).number;
      if (name == "write") write = true;
      if (name == "maxsize") {
        maxsize = args.at(i).number;
        if (*maxsize <= 0 || *maxsize > kMaxBuffer) {
          diags.report(DiagKind::BadProcfsPoint, args.at(i).range,
                       fmt::format("maxsize must be greater than 0 and at most {} bytes", kMaxBuffer));
          return out;
        }
      }
    }
    out.push_back(std::make_unique<ProcfsPoint>(*this, std::move(path), umask, write, maxsize));
    return out;
  }

 private:
  // A read's buffer is allocated per open file; 16 MiB is far beyond any
  // use and keeps one cat from taking the kernel's memory.
  static constexpr int64_t kMaxBuffer = 16 << 20;
  std::vector<Pattern> patterns_;
};

}  // namespace

const std::string& ProcfsPoint::path() const {
  static const std::string kDefault = "command";
  return writtenPath ? *writtenPath : kDefault;
}

int ProcfsPoint::mode() const {
  if (!umask) return write ? 0200 : 0400;
  return static_cast<int>((write ? 0222 : 0444) & ~*umask);
}

std::string ProcfsPoint::text() const {
  std::string out = "procfs";
  if (writtenPath) out += fmt::format("(\"{}\")", *writtenPath);
  if (umask) out += fmt::format(".umask({})", *umask);
  out += write ? ".write" : ".read";
  if (maxsize) out += fmt::format(".maxsize({})", *maxsize);
  return out;
}

std::unique_ptr<Family> makeProcfsFamily() { return std::make_unique<ProcfsFamily>(); }

}  // namespace utap::probes
