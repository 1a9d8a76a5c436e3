#include "sema/elaborate.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sema/context.h"

namespace utap::sema {

FileId Context::fileOf(const SourceRange& range) const {
  SourceRange r = range;
  // Bounded: an expansion's site is always an earlier expansion or none.
  for (int depth = 0; r.expansion != 0 && depth < 10000; ++depth) r = sources.expansion(r.expansion).site;
  return r.begin.file;
}

namespace {

// Reads the -D values that are runtime limits; other names are only passed on.
bool readLimits(const ElaborateOptions& options, RuntimeLimits& limits, Diagnostics& diags) {
  struct Known {
    const char* name;
    int64_t RuntimeLimits::*field;
    int64_t min, max;
  };
  static const Known known[] = {
      {"MAXMAPENTRIES", &RuntimeLimits::maxMapEntries, 1, int64_t(1) << 31},
      {"MAXSTRINGLEN", &RuntimeLimits::maxStringLen, 2, 1 << 20},
      {"MAXACTION", &RuntimeLimits::maxAction, 1, INT64_MAX},
      {"MAXNESTING", &RuntimeLimits::maxNesting, 1, 1000},
      {"MAXTRYLOCK", &RuntimeLimits::maxTryLock, 1, INT64_MAX},
      {"MAXERRORS", &RuntimeLimits::maxErrors, 0, INT64_MAX},
      {"MAXSKIPPED", &RuntimeLimits::maxSkipped, 0, INT64_MAX},
      {"MAXUPROBES", &RuntimeLimits::maxUprobes, 1, 1000000},
  };
  bool ok = true;
  for (const auto& [name, value] : options.defines) {
    limits.defines[name] = value;
    for (const auto& k : known) {
      if (name != k.name) continue;
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(value.c_str(), &end, 0);
      if (value.empty() || *end != '\0' || errno == ERANGE || v < k.min || v > k.max) {
        diags.report(DiagKind::BadLimit, SourceRange{}, name, value, k.min,
                     k.max == INT64_MAX ? std::string("") : fmt::format(" and at most {}", k.max));
        ok = false;
      } else {
        limits.*k.field = v;
      }
    }
  }
  return ok;
}

}  // namespace

std::unique_ptr<Program> elaborate(std::unique_ptr<ast::File> script, SourceManager& sources, Diagnostics& diags,
                                   const ElaborateOptions& options, const probes::Registry& registry) {
  auto program = std::make_unique<Program>();
  if (!readLimits(options, program->limits, diags)) return nullptr;
  program->files.push_back(std::move(script));
  program->legacyPointerFormat = strverscmp(options.parse.preprocessor.compatVersion.c_str(), "1.3") < 0;
  Context ctx{*program, sources, diags, options, registry, {}};

  includeTapsets(ctx, loadTapsetLibrary(sources, diags, options));
  if (diags.hasErrors()) return nullptr;
  expandProbes(ctx);
  if (diags.hasErrors()) return nullptr;
  if (program->probes.empty()) {
    diags.report(DiagKind::NoProbes, SourceRange{});
    return nullptr;
  }
  cloneTargetFunctions(ctx);
  resolveTargets(ctx);
  resolveProcfsValues(ctx);
  foldConstants(ctx);
  resolveSymbols(ctx);
  if (diags.hasErrors()) return nullptr;
  resolveAutocasts(ctx);
  foldConstants(ctx);  // @defined of autocast expressions, now resolved
  optimizeBeforeTypes(ctx);
  inferTypes(ctx);
  removeDeadBranches(ctx);
  reportUnknownTypes(ctx);
  checkUsage(ctx);
  checkRegexes(ctx);
  if (diags.hasErrors()) return nullptr;
  displayWrittenGlobals(ctx);
  elideUnused(ctx);
  checkProbeLimits(ctx);
  if (diags.hasErrors()) return nullptr;
  // As stap: a script whose probes were all elided has none left to run.
  if (std::none_of(program->probes.begin(), program->probes.end(),
                   [](const std::unique_ptr<Probe>& p) { return p->synthesizedFor.empty(); })) {
    diags.report(DiagKind::NoProbes, SourceRange{});
    return nullptr;
  }
  return program;
}

}  // namespace utap::sema
