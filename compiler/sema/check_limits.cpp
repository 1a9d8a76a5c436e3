// Whether the script's process probes fit MAXUPROBES (context.h): each
// addressed point is a breakpoint the kernel keeps and the module arms at
// load, so a pattern that matches more than the limit is an error here,
// before anything is built or loaded, never a load that runs out.
#include <map>

#include "probes/process.h"
#include "sema/context.h"

namespace utap::sema {

namespace {

bool isAddressed(const probes::ResolvedPoint& point) {
  auto* p = dynamic_cast<const probes::ProcessPoint*>(&point);
  if (!p) return false;
  using K = probes::ProcessPoint::Kind;
  return p->kind == K::Function || p->kind == K::Statement || p->kind == K::Label || p->kind == K::Mark ||
         p->kind == K::Plt;
}

}  // namespace

void checkProbeLimits(Context& ctx) {
  size_t total = 0;
  std::map<const ast::ProbeDecl*, size_t> perDecl;
  for (const auto& probe : ctx.program.probes) {
    if (!isAddressed(*probe->point)) continue;
    ++total;
    ++perDecl[probe->origin];
  }
  int64_t limit = ctx.program.limits.maxUprobes;
  if (total <= static_cast<size_t>(limit)) return;
  const ast::ProbeDecl* largest = nullptr;
  for (const auto& [decl, n] : perDecl)
    if (decl && (!largest || n > perDecl[largest])) largest = decl;
  ctx.diags.report(DiagKind::TooManyUprobes, largest ? largest->range : SourceRange{}, total, limit);
  if (largest && perDecl.size() > 1) ctx.diags.note(DiagKind::NoteUprobesOfProbe, largest->range, perDecl[largest]);
}

}  // namespace utap::sema
