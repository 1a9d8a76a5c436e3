#include "sema/elaborate.h"

#include "sema/context.h"

namespace utap::sema {

FileId Context::fileOf(const SourceRange& range) const {
  SourceRange r = range;
  // Bounded: an expansion's site is always an earlier expansion or none.
  for (int depth = 0; r.expansion != 0 && depth < 10000; ++depth) r = sources.expansion(r.expansion).site;
  return r.begin.file;
}

std::unique_ptr<Program> elaborate(std::unique_ptr<ast::File> script, SourceManager& sources, Diagnostics& diags,
                                   const ElaborateOptions& options, const probes::Registry& registry) {
  auto program = std::make_unique<Program>();
  for (const auto& [name, value] : options.defines) program->limits.defines[name] = value;
  program->files.push_back(std::move(script));
  Context ctx{*program, sources, diags, options, registry, {}};

  includeTapsets(ctx, loadTapsetLibrary(sources, diags, options));
  if (diags.hasErrors()) return nullptr;
  expandProbes(ctx);
  if (diags.hasErrors()) return nullptr;
  if (program->probes.empty()) {
    diags.report(DiagKind::NoProbes, SourceRange{});
    return nullptr;
  }
  resolveSymbols(ctx);
  if (diags.hasErrors()) return nullptr;
  inferTypes(ctx);
  checkUsage(ctx);
  if (diags.hasErrors()) return nullptr;
  elideUnused(ctx);
  return program;
}

}  // namespace utap::sema
