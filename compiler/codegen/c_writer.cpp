#include "codegen/c_writer.h"

#include <fmt/format.h>

namespace utap::codegen {

void CWriter::line(std::string_view text) {
  out_.append(static_cast<size_t>(indent_), '\t');
  out_ += text;
  out_ += '\n';
}

void CWriter::flush(std::string_view text) {
  out_ += text;
  out_ += '\n';
}

void CWriter::blank() { out_ += '\n'; }

void CWriter::open(std::string_view head) {
  line(std::string(head) + (head.empty() ? "{" : " {"));
  ++indent_;
}

void CWriter::close(std::string_view tail) {
  --indent_;
  line("}" + std::string(tail));
}

void CWriter::chain(std::string_view text) {
  --indent_;
  line(text);
  ++indent_;
}

void CWriter::where(const SourceManager& sources, const SourceRange& range) {
  if (range.begin.valid()) line("/* " + sources.format(range.begin) + " */");
}

std::string cNumber(int64_t value) {
  if (value == INT64_MIN) return "(-9223372036854775807LL - 1)";
  return std::to_string(value) + "LL";
}

std::string cString(std::string_view bytes) {
  std::string out = "\"";
  bool lastWasHex = false;
  for (unsigned char ch : bytes) {
    bool hexDigit = std::isxdigit(ch) != 0;
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20 || ch >= 0x7f) {
          out += fmt::format("\\x{:02x}", ch);
          lastWasHex = true;
          continue;
        }
        // "\x41" followed by 'b' would read as one escape: split the literal.
        if (lastWasHex && hexDigit) out += "\"\"";
        out += static_cast<char>(ch);
    }
    lastWasHex = false;
  }
  return out + "\"";
}

}  // namespace utap::codegen
