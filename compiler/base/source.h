// Source files, locations and ranges.
//
// Every token and AST node carries a SourceRange. Code that came from a macro
// expansion or a script argument also names the expansion it came from, so a
// diagnostic can walk back to where the text was written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace utap {

using FileId = uint32_t;
using ExpansionId = uint32_t;  // 0: not from an expansion

struct SourceLoc {
  FileId file = 0;
  uint32_t line = 0;    // 1-based; 0 means "no location"
  uint32_t column = 0;  // 1-based, in code points

  bool valid() const { return line != 0; }
};

struct SourceRange {
  SourceLoc begin;
  SourceLoc end;  // location of the last character (inclusive)
  ExpansionId expansion = 0;

  static SourceRange spanning(const SourceRange& first, const SourceRange& last);
};

// One macro or script-argument expansion: what was expanded and where.
struct Expansion {
  std::string what;      // "macro '@foo'" or "script argument $1"
  SourceRange site;      // the use that was expanded
};

class SourceManager {
 public:
  FileId addFile(std::string path, std::string text);
  const std::string& path(FileId file) const { return files_[file].path; }
  const std::string& text(FileId file) const { return files_[file].text; }
  // The text of one line, without its line terminator.
  std::string_view lineText(FileId file, uint32_t line) const;

  ExpansionId addExpansion(Expansion expansion);
  const Expansion& expansion(ExpansionId id) const { return expansions_[id]; }

  std::string format(const SourceLoc& loc) const;  // "file:line:col"

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> lineStarts;  // byte offset of each line
  };
  std::vector<File> files_;
  std::vector<Expansion> expansions_{Expansion{}};  // id 0 is "none"
};

}  // namespace utap
