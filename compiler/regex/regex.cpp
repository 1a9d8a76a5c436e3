// The ERE parser (pattern → tree) and the code generator (tree → program).
#include "regex/regex.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace utap::regex {

namespace {

constexpr unsigned kInfinite = ~0u;
// Repetitions of one atom ("a**+?"): with the group limit, this bounds the
// depth of the tree and so the recursion over it.
constexpr unsigned kMaxPostfix = 32;

struct Node {
  enum class Kind { Empty, Byte, Class, Any, Start, End, Group, Concat, Alt, Repeat };
  explicit Node(Kind k = Kind::Empty) : kind(k) {}
  Kind kind;
  uint8_t byte = 0;
  ByteSet set{};
  unsigned group = 0;             // Group: its number
  unsigned min = 0, max = 0;      // Repeat; max may be kInfinite
  std::vector<Node> kids;
};

void addByte(ByteSet& s, unsigned b) { s[b / 64] |= uint64_t(1) << (b % 64); }

// The POSIX classes of the C locale (stap's matcher knows no other).
bool namedClass(std::string_view name, ByteSet& s) {
  static const struct {
    const char* name;
    int (*test)(int);
  } classes[] = {
      {"alpha", isalpha}, {"digit", isdigit}, {"alnum", isalnum}, {"upper", isupper},
      {"lower", islower}, {"space", isspace}, {"blank", isblank}, {"punct", ispunct},
      {"print", isprint}, {"graph", isgraph}, {"cntrl", iscntrl}, {"xdigit", isxdigit},
  };
  for (const auto& c : classes) {
    if (name != c.name) continue;
    // The <cctype> tests follow the C locale here: utap never calls setlocale.
    for (unsigned b = 0; b < 128; ++b)
      if (c.test(static_cast<int>(b))) addByte(s, b);
    return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  std::optional<Node> parse() {
    Node n = alternation();
    if (error_) return std::nullopt;
    if (at_ < p_.size()) {  // only a ')' stops an alternation early
      fail(at_, "unbalanced ')'");
      return std::nullopt;
    }
    return n;
  }
  unsigned groups() const { return groups_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  void fail(size_t at, std::string message) {
    if (!error_) error_ = Error{at, std::move(message)};
  }
  bool atEnd() const { return at_ >= p_.size(); }
  char peek() const { return p_[at_]; }

  Node alternation() {
    Node alt{Node::Kind::Alt};
    alt.kids.push_back(concatenation());
    while (!error_ && !atEnd() && peek() == '|') {
      ++at_;
      alt.kids.push_back(concatenation());
    }
    if (alt.kids.size() == 1) return std::move(alt.kids.front());
    return alt;
  }

  Node concatenation() {
    Node cat{Node::Kind::Concat};
    while (!error_ && !atEnd() && peek() != '|' && peek() != ')') cat.kids.push_back(piece());
    if (cat.kids.size() == 1) return std::move(cat.kids.front());
    if (cat.kids.empty()) return Node{};
    return cat;
  }

  Node piece() {
    Node n = atom();
    for (unsigned ops = 0; !error_ && !atEnd(); ++ops) {
      char c = peek();
      if (c != '*' && c != '+' && c != '?' && c != '{') break;
      if (ops == kMaxPostfix) {
        fail(at_, fmt::format("more than {} repetition operators on one atom", kMaxPostfix));
        break;
      }
      if (n.kind == Node::Kind::Start || n.kind == Node::Kind::End) {
        fail(at_, fmt::format("postfix closure '{}' applied to anchoring operator", c));
        break;
      }
      unsigned min = c == '+' ? 1 : 0, max = c == '?' ? 1 : kInfinite;
      ++at_;
      if (c == '{' && !counts(min, max)) break;
      Node r{Node::Kind::Repeat};
      r.min = min;
      r.max = max;
      r.kids.push_back(std::move(n));
      n = std::move(r);
    }
    return n;
  }

  // After '{': "m}", "m,}" or "m,n}".
  bool counts(unsigned& min, unsigned& max) {
    size_t open = at_ - 1;
    if (!number(min)) return false;
    max = min;
    if (!atEnd() && peek() == ',') {
      ++at_;
      max = kInfinite;
      if (!atEnd() && peek() != '}' && !number(max)) return false;
    }
    if (atEnd()) {
      fail(at_, "unexpected end of regex");
      return false;
    }
    if (peek() != '}') {
      fail(at_, "expected '}'");
      return false;
    }
    ++at_;
    if (max != kInfinite && min > max) {
      fail(open, fmt::format("invalid repetition {}: the minimum {} exceeds the maximum {}",
                             p_.substr(open, at_ - open), min, max));
      return false;
    }
    return true;
  }

  bool number(unsigned& value) {
    if (atEnd()) {
      fail(at_, "unexpected end of regex");
      return false;
    }
    if (!isdigit(static_cast<unsigned char>(peek()))) {
      fail(at_, "expected number");
      return false;
    }
    size_t start = at_;
    uint64_t v = 0;
    while (!atEnd() && isdigit(static_cast<unsigned char>(peek()))) {
      v = std::min<uint64_t>(v * 10 + (peek() - '0'), uint64_t(kMaxRepeat) + 1);
      ++at_;
    }
    if (v > kMaxRepeat) {
      fail(start, fmt::format("repetition count {} is too large; the limit is {}", p_.substr(start, at_ - start),
                              kMaxRepeat));
      return false;
    }
    value = static_cast<unsigned>(v);
    return true;
  }

  Node atom() {
    char c = peek();
    size_t start = at_++;
    switch (c) {
      case '(': {
        if (groups_ + 1 >= kMaxGroups) {
          fail(start, fmt::format("too many groups: matched() can return at most {}", kMaxGroups - 1));
          return Node{};
        }
        Node g{Node::Kind::Group};
        g.group = ++groups_;
        g.kids.push_back(alternation());
        if (error_) return g;
        if (atEnd()) {
          fail(at_, "expected ')', found end of regex");
          return g;
        }
        ++at_;  // ')'
        return g;
      }
      case '[': return bracket(start);
      case '.': return Node{Node::Kind::Any};
      case '^': return Node{Node::Kind::Start};
      case '$': return Node{Node::Kind::End};
      case '*':
      case '+':
      case '?':
      case '{': fail(start, fmt::format("unexpected '{}'", c)); return Node{};
      case '\\':
        if (atEnd()) {
          fail(at_, "unexpected end of regex");
          return Node{};
        }
        c = p_[at_++];
        break;
      default: break;
    }
    Node b{Node::Kind::Byte};
    b.byte = static_cast<uint8_t>(c);
    return b;
  }

  // After '[': the set up to the closing ']'.
  Node bracket(size_t open) {
    Node n{Node::Kind::Class};
    bool negate = !atEnd() && peek() == '^';
    if (negate) ++at_;
    bool first = true;
    for (;;) {
      if (atEnd()) {
        fail(open, "unclosed character class");
        return n;
      }
      char c = peek();
      if (c == ']' && !first) {
        ++at_;
        break;
      }
      first = false;
      if (c == '[' && at_ + 1 < p_.size() && p_[at_ + 1] == ':') {
        size_t close = p_.find(":]", at_ + 2);
        if (close == std::string_view::npos) {
          fail(open, "unclosed character class");
          return n;
        }
        std::string_view name = p_.substr(at_ + 2, close - at_ - 2);
        if (!namedClass(name, n.set)) {
          fail(at_, fmt::format("unknown character class '{}'", name));
          return n;
        }
        at_ = close + 2;
        continue;
      }
      size_t lowAt = at_;
      int low = member();
      if (low < 0) {
        fail(open, "unclosed character class");
        return n;
      }
      int high = low;
      // "a-z"; a '-' first, last or after a class is itself.
      if (at_ + 1 < p_.size() && peek() == '-' && p_[at_ + 1] != ']') {
        ++at_;
        high = member();
        if (high < 0) {
          fail(open, "unclosed character class");
          return n;
        }
        if (high < low) {
          fail(lowAt, fmt::format("inverted character range {}", p_.substr(lowAt, at_ - lowAt)));
          return n;
        }
      }
      for (int b = low; b <= high; ++b) addByte(n.set, static_cast<unsigned>(b));
    }
    if (negate)
      for (auto& w : n.set) w = ~w;
    n.set[0] &= ~uint64_t(1);  // NUL ends the subject: nothing matches it
    return n;
  }

  // One byte of a bracket expression ('\' escapes, as in stap), or -1 at the end.
  int member() {
    if (atEnd()) return -1;
    char c = p_[at_++];
    if (c == '\\') {
      if (atEnd()) return -1;
      c = p_[at_++];
    }
    return static_cast<unsigned char>(c);
  }

  std::string_view p_;
  size_t at_ = 0;
  unsigned groups_ = 0;
  std::optional<Error> error_;
};

// Instructions `n` compiles to, saturating at kMaxInsns + 1.
size_t sizeOf(const Node& n) {
  auto sat = [](uint64_t v) { return static_cast<size_t>(std::min<uint64_t>(v, kMaxInsns + 1)); };
  switch (n.kind) {
    case Node::Kind::Empty: return 0;
    case Node::Kind::Group: return sat(uint64_t(sizeOf(n.kids[0])) + 2);
    case Node::Kind::Concat:
    case Node::Kind::Alt: {
      uint64_t total = n.kind == Node::Kind::Alt ? 2 * (n.kids.size() - 1) : 0;
      for (const Node& k : n.kids) total += sizeOf(k);
      return sat(total);
    }
    case Node::Kind::Repeat: {
      uint64_t body = sizeOf(n.kids[0]);
      uint64_t copies = n.max == kInfinite ? std::max(n.min, 1u) : n.max;
      uint64_t splits = n.max == kInfinite ? 2 : n.max - n.min;
      return sat(body * copies + splits);
    }
    default: return 1;
  }
}

class Generator {
 public:
  explicit Generator(Program& p) : p_(p) {}

  void emit(const Node& n) {
    using K = Node::Kind;
    switch (n.kind) {
      case K::Empty: return;
      case K::Byte: add({Insn::Op::Byte, n.byte}); return;
      case K::Any: add({Insn::Op::Any}); return;
      case K::Start: add({Insn::Op::LineStart}); return;
      case K::End: add({Insn::Op::LineEnd}); return;
      case K::Class: add({Insn::Op::Class, 0, classIndex(n.set)}); return;
      case K::Group:
        add({Insn::Op::Save, 0, static_cast<uint16_t>(2 * n.group)});
        emit(n.kids[0]);
        add({Insn::Op::Save, 0, static_cast<uint16_t>(2 * n.group + 1)});
        return;
      case K::Concat:
        for (const Node& k : n.kids) emit(k);
        return;
      case K::Alt: {
        // split L1, next; L1: first; jump end; next: split L2, ...; last; end:
        std::vector<size_t> jumps;
        for (size_t i = 0; i + 1 < n.kids.size(); ++i) {
          size_t split = add({Insn::Op::Split});
          p_.insns[split].x = here();
          emit(n.kids[i]);
          jumps.push_back(add({Insn::Op::Jump}));
          p_.insns[split].y = here();
        }
        emit(n.kids.back());
        for (size_t j : jumps) p_.insns[j].x = here();
        return;
      }
      case K::Repeat: repeat(n); return;
    }
  }

  size_t add(Insn i) {
    p_.insns.push_back(i);
    return p_.insns.size() - 1;
  }

 private:
  uint16_t here() const { return static_cast<uint16_t>(p_.insns.size()); }

  uint16_t classIndex(const ByteSet& s) {
    auto it = std::find(p_.classes.begin(), p_.classes.end(), s);
    if (it == p_.classes.end()) it = p_.classes.insert(p_.classes.end(), s);
    return static_cast<uint16_t>(it - p_.classes.begin());
  }

  // Greedy: each split prefers another iteration.
  void repeat(const Node& n) {
    const Node& body = n.kids[0];
    if (n.max == kInfinite) {
      for (unsigned i = 1; i < n.min; ++i) emit(body);
      if (n.min >= 1) {  // x+: L: x; split L, end
        size_t loop = here();
        emit(body);
        size_t split = add({Insn::Op::Split});
        p_.insns[split].x = static_cast<uint16_t>(loop);
        p_.insns[split].y = here();
      } else {  // x*: L: split body, end; body: x; jump L; end:
        size_t split = add({Insn::Op::Split});
        p_.insns[split].x = here();
        emit(body);
        add({Insn::Op::Jump, 0, static_cast<uint16_t>(split)});
        p_.insns[split].y = here();
      }
      return;
    }
    for (unsigned i = 0; i < n.min; ++i) emit(body);
    // x{0,k} nested: split a, end; a: x; split b, end; b: x; ... end:
    std::vector<size_t> splits;
    for (unsigned i = n.min; i < n.max; ++i) {
      size_t split = add({Insn::Op::Split});
      p_.insns[split].x = here();
      splits.push_back(split);
      emit(body);
    }
    for (size_t s : splits) p_.insns[s].y = here();
  }

  Program& p_;
};

// Whether every match must start at position 0 (each alternative starts with '^').
bool anchoredAtStart(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Start: return true;
    case Node::Kind::Group: return anchoredAtStart(n.kids[0]);
    case Node::Kind::Concat: return !n.kids.empty() && anchoredAtStart(n.kids[0]);
    case Node::Kind::Alt:
      return std::all_of(n.kids.begin(), n.kids.end(), [](const Node& k) { return anchoredAtStart(k); });
    case Node::Kind::Repeat: return n.min >= 1 && anchoredAtStart(n.kids[0]);
    default: return false;
  }
}

}  // namespace

unsigned Program::threads() const {
  unsigned n = 0;
  for (const Insn& i : insns)
    n += i.op == Insn::Op::Byte || i.op == Insn::Op::Class || i.op == Insn::Op::Any || i.op == Insn::Op::Match;
  return n;
}

// Mirrors UTAP_REGEX_WORK_SIZE in runtime/include/utap/regex.h.
size_t Program::workSize() const {
  size_t slots = 2 * size_t(groups), t = threads(), n = insns.size();
  return (2 * t + 1) * slots * 4 + (n + 1) * 8 + n * 4 + 2 * t * 2;
}

Compiled compile(std::string_view pattern) {
  Compiled out;
  Parser parser(pattern);
  std::optional<Node> tree = parser.parse();
  if (!tree) {
    out.error = parser.error();
    return out;
  }
  if (sizeOf(*tree) + 3 > kMaxInsns) {
    out.error = Error{0, fmt::format("regular expression too large: more than {} states; "
                                     "use smaller repetition counts",
                                     kMaxInsns)};
    return out;
  }
  Program p;
  p.groups = parser.groups() + 1;
  p.anchored = anchoredAtStart(*tree);
  Generator gen(p);
  gen.add({Insn::Op::Save, 0, 0});
  gen.emit(*tree);
  gen.add({Insn::Op::Save, 0, 1});
  gen.add({Insn::Op::Match});
  if (p.workSize() > kMaxWorkSize) {
    out.error = Error{0, fmt::format("regular expression too large: matching it needs {} bytes of scratch "
                                     "memory, more than {}; use fewer groups or smaller repetition counts",
                                     p.workSize(), kMaxWorkSize)};
    return out;
  }
  out.program = std::move(p);
  return out;
}

}  // namespace utap::regex
