// Preprocessor conditionals "%( COND %? TRUE %: FALSE %)" and script
// arguments. Arguments are substituted only in the tokens that survive, so
// "%( $# > 0 %? $1 %: 5 %)" works without arguments, as in stap.
#include <fmt/format.h>
#include <fnmatch.h>
#include <string.h>

#include <algorithm>
#include <optional>

#include "UtapLexer.h"
#include "parse/lexer.h"
#include "parse/literals.h"
#include "parse/preprocessor.h"

namespace utap::parse {

namespace {

using grammar::UtapLexer;

bool isDigits(const std::string& s, size_t from) {
  return s.size() > from && std::all_of(s.begin() + from, s.end(), ::isdigit);
}

std::string quoteForLexer(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// A value in a condition.
struct Operand {
  enum class Kind { Number, String, Name } kind;
  int64_t number = 0;
  std::string text;  // string value, or the name
  SourceRange range;
};

class Resolver {
 public:
  Resolver(const PreprocessorConfig& config, SourceManager& sources, Diagnostics& diags,
           MacroExpander* macros = nullptr)
      : config_(config), macros_(macros), sources_(sources), diags_(diags) {}

  // Copies [begin, end) to `out`, resolving conditionals; stops at `end`.
  // Tokens kept are moved out of `in`, which the caller no longer needs.
  void run(Tokens& in, size_t begin, size_t end, Tokens& out) {
    for (size_t i = begin; i < end;) {
      const Token& t = in[i];
      if (macros_) {
        if (macros_->failed()) return;
        if (macros_->isDefinition(t)) {
          i = macros_->define(in, i, end);
          continue;
        }
        if (macros_->isUse(t)) {
          i = macros_->use(in, i, end, out,
                           [this](Tokens& tokens, Tokens& into) { run(tokens, 0, tokens.size(), into); });
          macros_->checkSize(out);
          continue;
        }
      }
      switch (t.type) {
        case UtapLexer::PP_OPEN: i = conditional(in, i, end, out); break;
        case UtapLexer::PP_THEN:
          diags_.report(DiagKind::StrayPpThen, t.range);
          ++i;
          break;
        case UtapLexer::PP_ELSE:
          diags_.report(DiagKind::StrayPpElse, t.range);
          ++i;
          break;
        case UtapLexer::PP_CLOSE:
          diags_.report(DiagKind::StrayPpClose, t.range);
          ++i;
          break;
        default: substitute(std::move(in[i]), out); ++i;
      }
    }
  }

 private:
  // Handles the conditional whose "%(" is at `open`; returns the index after its "%)".
  size_t conditional(Tokens& in, size_t open, size_t end, Tokens& out) {
    size_t then = end, otherwise = end, close = end;
    bool duplicateThen = false;
    int depth = 0;
    for (size_t i = open; i < end; ++i) {
      size_t t = in[i].type;
      if (t == UtapLexer::PP_OPEN) {
        ++depth;
      } else if (t == UtapLexer::PP_CLOSE) {
        if (--depth == 0) {
          close = i;
          break;
        }
      } else if (depth == 1 && t == UtapLexer::PP_THEN && then == end) {
        then = i;
      } else if (depth == 1 && t == UtapLexer::PP_THEN) {
        // One condition, one '%?': a second is refused (it is not reported
        // again as a stray '%?' where the chosen branch is read).
        diags_.report(DiagKind::SyntaxError, in[i].range,
                      "a second '%?' in one preprocessor conditional; write '%( A %? X %: %( B %? Y %) %)' to "
                      "test two conditions");
        duplicateThen = true;
      } else if (depth == 1 && t == UtapLexer::PP_ELSE && then != end) {
        if (otherwise == end)
          otherwise = i;
        else
          diags_.report(DiagKind::DuplicatePpElse, in[i].range);
      }
    }
    if (close == end) {
      diags_.report(DiagKind::UnterminatedConditional, in[open].range);
      return end;
    }
    if (duplicateThen) return close + 1;
    if (then == end) {
      diags_.report(DiagKind::ExpectedPpThen, in[open].range);
      return close + 1;
    }
    std::optional<bool> cond = evaluate(in, open, then);
    if (!cond) return close + 1;
    if (*cond)
      run(in, then + 1, otherwise == end ? close : otherwise, out);
    else if (otherwise != end)
      run(in, otherwise + 1, close, out);
    return close + 1;
  }

  // ---- script arguments ----

  // Appends `t`, or what a script argument in it stands for.
  void substitute(Token t, Tokens& out) {
    bool dollar = t.type == UtapLexer::TARGET && isDigits(t.text, 1);
    bool at = t.type == UtapLexer::AT_NAME && isDigits(t.text, 1);
    if (t.type == UtapLexer::DOLLAR_HASH || t.type == UtapLexer::AT_HASH) {
      std::string n = std::to_string(config_.args.size());
      out.push_back({t.type == UtapLexer::DOLLAR_HASH ? size_t(UtapLexer::NUMBER) : size_t(UtapLexer::STRING),
                     t.type == UtapLexer::DOLLAR_HASH ? n : "\"" + n + "\"", t.range});
      return;
    }
    bool digitFirst = (t.type == UtapLexer::TARGET || t.type == UtapLexer::AT_NAME) && t.text.size() > 1 &&
                      std::isdigit(static_cast<unsigned char>(t.text[1]));
    std::string glued;  // what follows the digits: "A3" in "$12A3"
    if (digitFirst && !dollar && !at) {
      size_t digits = 1;
      while (digits < t.text.size() && std::isdigit(static_cast<unsigned char>(t.text[digits]))) ++digits;
      if (t.type == UtapLexer::AT_NAME) {
        // "@1x": '@' and a digit is a script argument, a string; nothing may follow it.
        std::string sigil = t.text.substr(0, 1);
        diags_.report(DiagKind::BadScriptArgument, t.range, t.text, sigil, sigil);
        return;
      }
      // "$12A3": as in stap, the text of argument 12 glued to "A3", read
      // as script ("$1A3" with the argument "x" is the name "xA3").
      glued = t.text.substr(digits);
      t.text.resize(digits);
      dollar = true;
    }
    if (!dollar && !at) {
      out.push_back(std::move(t));
      return;
    }
    const std::string* arg = argument(t);
    if (!arg) return;
    if (at) {
      out.push_back({UtapLexer::STRING, quoteForLexer(*arg), t.range});
      return;
    }
    // "$1" pastes the argument's text into the input, to be lexed as script.
    ExpansionId expansion = sources_.addExpansion({fmt::format("script argument {} ('{}')", t.text, *arg), t.range});
    FileId file = sources_.addFile(fmt::format("<argument {}>", t.text), *arg + glued);
    Tokens pasted = lex(file, sources_, diags_, expansion);
    for (Token& p : pasted) {
      if (p.type == antlr4::Token::EOF) break;
      p.range = {t.range.begin, t.range.end, expansion};
      out.push_back(std::move(p));
    }
  }

  const std::string* argument(const Token& t) {
    size_t n = std::strtoul(t.text.c_str() + 1, nullptr, 10);
    if (n < 1 || n > config_.args.size()) {
      diags_.report(DiagKind::ScriptArgOutOfRange, t.range, t.text, config_.args.size());
      return nullptr;
    }
    return &config_.args[n - 1];
  }

  // ---- conditions ----

  std::optional<bool> fail(const SourceRange& at, const std::string& why) {
    diags_.report(DiagKind::InvalidPpCondition, at, why);
    return std::nullopt;
  }

  // COND: CMP ('&&' CMP)* ('||' CMP ('&&' CMP)*)*  (no parentheses, as in stap)
  std::optional<bool> evaluate(const Tokens& in, size_t open, size_t then) {
    // Substitute arguments first, so "$1" and "@#" become literals.
    Tokens cond;
    for (size_t i = open + 1; i < then; ++i) substitute(in[i], cond);
    end_ = in[then].range;
    if (cond.empty()) return fail(end_, "the condition is empty");
    bool any = false;
    bool all = true;
    size_t i = 0;
    for (;;) {
      std::optional<bool> one = comparison(cond, i);
      if (!one) return std::nullopt;
      all = all && *one;
      if (i == cond.size()) break;
      if (cond[i].type == UtapLexer::ANDAND) {
        ++i;
      } else if (cond[i].type == UtapLexer::OROR) {
        any = any || all;
        all = true;
        ++i;
      } else {
        return fail(cond[i].range, fmt::format("expected '%?' (or '&&', '||') instead of '{}'", cond[i].text));
      }
    }
    return any || all;
  }

  std::optional<Operand> operand(const Tokens& cond, size_t& i) {
    if (i >= cond.size()) {
      fail(end_, "the condition ends too early");
      return std::nullopt;
    }
    const Token& t = cond[i];
    if (t.type == UtapLexer::IDENT) {
      ++i;
      return Operand{Operand::Kind::Name, 0, t.text, t.range};
    }
    if (t.type == UtapLexer::STRING) {
      std::string value;
      while (i < cond.size() && cond[i].type == UtapLexer::STRING) value += decodeString(cond[i++].text);
      return Operand{Operand::Kind::String, 0, value, t.range};
    }
    bool negative = false;
    size_t at = i;
    if ((t.type == UtapLexer::MINUS || t.type == UtapLexer::PLUS) && i + 1 < cond.size()) {
      negative = t.type == UtapLexer::MINUS;
      ++at;
    }
    if (cond[at].type == UtapLexer::NUMBER) {
      NumberResult n = decodeNumber(cond[at].text);
      if (!n.value) {
        fail(cond[at].range, fmt::format("'{}' is not a valid number", cond[at].text));
        return std::nullopt;
      }
      i = at + 1;
      int64_t value = *n.value;
      return Operand{Operand::Kind::Number, negative ? static_cast<int64_t>(0 - static_cast<uint64_t>(value)) : value,
                     cond[at].text, t.range};
    }
    fail(t.range, fmt::format("expected a name, a number or a string instead of '{}'", t.text));
    return std::nullopt;
  }

  static bool compare(int cmp, size_t op) {
    switch (op) {
      case UtapLexer::LT: return cmp < 0;
      case UtapLexer::LE: return cmp <= 0;
      case UtapLexer::GT: return cmp > 0;
      case UtapLexer::GE: return cmp >= 0;
      case UtapLexer::EQ: return cmp == 0;
      default: return cmp != 0;
    }
  }

  static bool hasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

  std::optional<bool> comparison(const Tokens& cond, size_t& i) {
    std::optional<Operand> lhs = operand(cond, i);
    if (!lhs) return std::nullopt;
    if (i >= cond.size())
      return fail(end_, fmt::format("'{}' must be compared with something (e.g. '== \"x\"')", lhs->text));
    const Token& opTok = cond[i];
    size_t op = opTok.type;
    bool equality = op == UtapLexer::EQ || op == UtapLexer::NE;
    if (!equality && op != UtapLexer::LT && op != UtapLexer::LE && op != UtapLexer::GT && op != UtapLexer::GE)
      return fail(opTok.range, fmt::format("expected a comparison operator instead of '{}'", opTok.text));
    ++i;
    std::optional<Operand> rhs = operand(cond, i);
    if (!rhs) return std::nullopt;

    if (lhs->kind != Operand::Kind::Name) {
      if (rhs->kind == Operand::Kind::Name)
        return fail(rhs->range, fmt::format("'{}' must be on the left side of the comparison", rhs->text));
      if (lhs->kind != rhs->kind) return fail(rhs->range, "cannot compare a string with a number");
      if (lhs->kind == Operand::Kind::Number)
        return compare(lhs->number < rhs->number ? -1 : lhs->number > rhs->number ? 1 : 0, op);
      return compare(lhs->text.compare(rhs->text), op);
    }

    const std::string& name = lhs->text;
    static const char* const known[] = {"kernel_v",    "kernel_vr",           "arch",     "runtime",
                                        "systemtap_v", "systemtap_privilege", "guru_mode"};
    if (std::find(std::begin(known), std::end(known), name) == std::end(known) && name.rfind("CONFIG_", 0) != 0)
      return fail(lhs->range, fmt::format("unknown name '{}'; expected kernel_v, kernel_vr, arch, runtime, "
                                          "systemtap_v, systemtap_privilege, guru_mode or CONFIG_...",
                                          name));
    if (name == "guru_mode") {
      if (rhs->kind != Operand::Kind::Number || !equality || (rhs->number != 0 && rhs->number != 1))
        return fail(rhs->range, "guru_mode can only be compared with == or != to 0 or 1");
      return compare((config_.guru ? 1 : 0) == rhs->number ? 0 : 1, op);
    }
    if (rhs->kind == Operand::Kind::Number && name.rfind("CONFIG_", 0) == 0) {
      // "CONFIG_HZ >= 100": a numeric option; unset counts as 0, as in stap.
      std::string value = config_.kernelConfig ? config_.kernelConfig(name) : "";
      char* stop = nullptr;
      long long v = value.empty() ? 0 : std::strtoll(value.c_str(), &stop, 0);
      if (!value.empty() && *stop != '\0')
        return fail(lhs->range, fmt::format("{} is '{}', not a number; compare it with a string", name, value));
      return compare(v < rhs->number ? -1 : v > rhs->number ? 1 : 0, op);
    }
    if (rhs->kind != Operand::Kind::String)
      return fail(rhs->range, fmt::format("'{}' must be compared with a string literal", name));
    const std::string& pattern = rhs->text;
    if (name == "kernel_v" || name == "kernel_vr" || name == "systemtap_v") {
      std::string actual = name == "kernel_vr"  ? config_.kernelRelease
                           : name == "kernel_v" ? kernelVersionOf(config_.kernelRelease)
                                                : config_.compatVersion;
      if (hasWildcard(pattern)) {
        if (!equality)
          return fail(rhs->range,
                      fmt::format("a wildcard version can only be compared with == or !=, not '{}'", opTok.text));
        return compare(fnmatch(pattern.c_str(), actual.c_str(), 0) == 0 ? 0 : 1, op);
      }
      return compare(strverscmp(actual.c_str(), pattern.c_str()), op);
    }
    std::optional<std::string> actual;
    if (name == "arch")
      actual = config_.arch;
    else if (name == "runtime")
      actual = config_.runtime;
    else if (name == "systemtap_privilege")
      actual = config_.privilege;
    else if (name.rfind("CONFIG_", 0) == 0)
      actual = config_.kernelConfig ? config_.kernelConfig(name) : "";
    if (!actual)
      return fail(lhs->range, fmt::format("unknown name '{}'; expected kernel_v, kernel_vr, arch, runtime, "
                                          "systemtap_v, systemtap_privilege, guru_mode or CONFIG_...",
                                          name));
    if (!equality) return fail(opTok.range, fmt::format("'{}' can only be compared with == or !=", name));
    if (name == "systemtap_privilege") return compare(actual->compare(pattern), op);  // exact, as in stap
    return compare(fnmatch(pattern.c_str(), actual->c_str(), 0) == 0 ? 0 : 1, op);
  }

  const PreprocessorConfig& config_;
  MacroExpander* macros_;  // null: conditionals only
  SourceRange end_;        // the "%?" after the condition being evaluated
  SourceManager& sources_;
  Diagnostics& diags_;
};

}  // namespace

Tokens preprocess(Tokens in, const PreprocessorConfig& config, MacroTable& local, const MacroTable* library,
                  SourceManager& sources, Diagnostics& diags) {
  Tokens out;
  // Macro uses make the output longer than the input; a reallocation would
  // move every token into new pages, and reserved pages never touched cost
  // nothing (bench/parse: 12% of pass 1 went to that).
  out.reserve(in.size() * 2);
  MacroExpander macros(local, library, sources, diags);
  Resolver(config, sources, diags, &macros).run(in, 0, in.size() - 1, out);  // all but EOF
  out.push_back(std::move(in.back()));
  return out;
}

std::string kernelVersionOf(const std::string& release) {
  size_t end = release.find_first_not_of("0123456789.");
  std::string v = release.substr(0, end);
  while (!v.empty() && v.back() == '.') v.pop_back();
  return v;
}

Tokens resolveConditionals(Tokens in, const PreprocessorConfig& config, SourceManager& sources, Diagnostics& diags) {
  Tokens out;
  out.reserve(in.size());
  Resolver(config, sources, diags).run(in, 0, in.size() - 1, out);  // all but EOF
  out.push_back(std::move(in.back()));
  return out;
}

}  // namespace utap::parse
