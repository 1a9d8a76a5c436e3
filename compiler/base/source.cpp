#include "base/source.h"

#include <fmt/format.h>

namespace utap {

SourceRange SourceRange::spanning(const SourceRange& first, const SourceRange& last) {
  SourceRange r = first;
  if (last.begin.file == first.begin.file && last.expansion == first.expansion) r.end = last.end;
  return r;
}

FileId SourceManager::addFile(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.lineStarts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

std::string_view SourceManager::lineText(FileId file, uint32_t line) const {
  const File& f = files_.at(file);
  if (line == 0 || line > f.lineStarts.size()) return {};
  uint32_t begin = f.lineStarts[line - 1];
  uint32_t end = line < f.lineStarts.size() ? f.lineStarts[line] - 1 : f.text.size();
  std::string_view text(f.text);
  auto out = text.substr(begin, end - begin);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

ExpansionId SourceManager::addExpansion(Expansion expansion) {
  expansions_.push_back(std::move(expansion));
  return static_cast<ExpansionId>(expansions_.size() - 1);
}

std::string SourceManager::format(const SourceLoc& loc) const {
  if (!loc.valid()) return path(loc.file);
  return fmt::format("{}:{}:{}", path(loc.file), loc.line, loc.column);
}

}  // namespace utap
