// The regex matcher (runtime/core/regex.c) on programs from the real regex
// compiler (compiler/regex): stap's results on fixed cases, glibc's
// regcomp/regexec (REG_EXTENDED, leftmost-longest) on the overall match of
// generated cases, and a backtracking matcher for the groups; bounded
// scratch (the guard bytes after it stay untouched) and the last-match
// functions behind matched() and ngroups().
#include <gtest/gtest.h>
#include <regex.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "regex/regex.h"

extern "C" {
#include "utap/regex.h"
#include "utap/limit_defaults.h"
}

namespace {

namespace rx = utap::regex;

// A compiled program as pass 3 emits it, and its scratch with guard bytes.
class Compiled {
 public:
  explicit Compiled(const std::string& pattern) : pattern_(pattern) {
    rx::Compiled c = rx::compile(pattern);
    if (c.error) {
      error_ = c.error->message;
      return;
    }
    program_ = *c.program;
    for (const rx::Insn& i : program_.insns)
      insns_.push_back({static_cast<uint8_t>(i.op), i.byte, i.x, i.y});
    for (const rx::ByteSet& s : program_.classes) {
      std::array<uint8_t, 32> bytes{};
      for (unsigned b = 0; b < 256; ++b)
        if (s[b / 64] >> (b % 64) & 1) bytes[b / 8] |= static_cast<uint8_t>(1u << (b % 8));
      classes_.push_back(bytes);
    }
    re_.pattern = pattern_.c_str();
    re_.insns = insns_.data();
    re_.classes = reinterpret_cast<const uint8_t(*)[32]>(classes_.data());
    re_.ninsns = static_cast<uint16_t>(insns_.size());
    re_.nthreads = static_cast<uint16_t>(program_.threads());
    re_.ngroups = static_cast<uint16_t>(program_.groups);
    re_.anchored = program_.anchored;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const utap_regex* re() const { return &re_; }
  const rx::Program& program() const { return program_; }

  // Matches; spans of every group, or empty when nothing matched.
  std::vector<int32_t> exec(const std::string& subject) const {
    size_t size = UTAP_REGEX_WORK_SIZE(re_.ninsns, re_.nthreads, re_.ngroups);
    EXPECT_EQ(size, program_.workSize());
    std::vector<uint32_t> work(size / 4 + 16, 0xdeadbeef);
    std::vector<int32_t> spans(2 * re_.ngroups + 2, -7);
    bool found = utap_regex_exec(&re_, subject.data(), subject.size(), work.data(), spans.data());
    for (size_t i = size / 4; i < work.size(); ++i) EXPECT_EQ(work[i], 0xdeadbeefu) << "scratch overrun";
    EXPECT_EQ(spans[2 * re_.ngroups], -7) << "spans overrun";
    if (!found) return {};
    spans.resize(2 * re_.ngroups);
    return spans;
  }

 private:
  std::string pattern_;
  std::string error_;
  rx::Program program_;
  std::vector<utap_regex_insn> insns_;
  std::vector<std::array<uint8_t, 32>> classes_;
  utap_regex re_{};
};

// "ok [g0] [g1] ..." as the stap reference scripts print it, or "no".
std::string show(const std::string& pattern, const std::string& subject) {
  Compiled c(pattern);
  if (!c.ok()) return "error: " + c.error();
  std::vector<int32_t> spans = c.exec(subject);
  if (spans.empty()) return "no";
  std::string out = "ok";
  for (size_t g = 0; g < spans.size() / 2; ++g) {
    int32_t s = spans[2 * g], e = spans[2 * g + 1];
    out += " [" + (s < 0 ? std::string() : subject.substr(s, e - s)) + "]";
  }
  return out;
}

// ---- what SystemTap 4.8 prints for these (checked through /root/stapref) ----

struct StapCase {
  const char* subject;
  const char* pattern;
  const char* expected;
};

const StapCase kStap[] = {
    {"an example string", "str(ing)", "ok [string] [ing]"},
    {"ab", "a|ab", "ok [ab]"},
    {"abcd", "(a|ab)(c|bcd)(d*)", "ok [abcd] [a] [bcd] []"},
    {"xyz", "(x|xy)(z|yz)", "ok [xyz] [x] [yz]"},
    {"b", "(a*)*", "ok [] []"},
    {"b", "(a*)+", "ok [] []"},
    {"aaa", "(a*)*", "ok [aaa] [aaa]"},
    {"abab", "(ab)*", "ok [abab] [ab]"},
    {"abab", "(a|b)*", "ok [abab] [b]"},
    {"xabcx", "b*", "ok []"},
    {"xbbb", "b+", "ok [bbb]"},
    {"aaaa", "a{2}", "ok [aa]"},
    {"aaaa", "a{2,}", "ok [aaaa]"},
    {"aaaa", "a{1,3}", "ok [aaa]"},
    {"aaaa", "a{0}", "ok []"},
    {"abc", "", "ok []"},
    {"abc", "$", "ok []"},
    {"abc", "^abc$", "ok [abc]"},
    {"abc", "^b", "no"},
    {"abc", "a$", "no"},
    {"a.c", "a\\.c", "ok [a.c]"},
    {"abc", "a\\.c", "no"},
    {"abc", "[^b]", "ok [a]"},
    {"a-c", "[a-]+", "ok [a-]"},
    {"]]a", "[]a]+", "ok []]a]"},
    {"abc", "(b)|(c)", "ok [b] [b] []"},
    {"abc", "(c)|(b)", "ok [b] [] [b]"},
    {"abc", "(x)?b", "ok [b] []"},
    {"foo123bar", "[[:digit:]]+", "ok [123]"},
    {"foo123bar", "[[:alpha:]]+", "ok [foo]"},
    {"FOO", "[[:lower:]]", "no"},
    {"ab", "a**", "ok [a]"},
    {"h\xc3\xa9llo", "h.llo", "no"},
    {"h\xc3\xa9llo", "h..llo", "ok [h\xc3\xa9llo]"},
    {"abcd", "(a(b(c)))(d)", "ok [abcd] [abc] [bc] [c] [d]"},
    {"aaa", "a*?", "ok [aaa]"},
    {"abc", "\\d", "no"},
    {"d", "\\d", "ok [d]"},
    {"abc", "a^b", "no"},
    {"abc", "a|^b", "ok [a]"},
    {"bc", "a|^b", "ok [b]"},
    {"abc", "(^a)", "ok [a] [a]"},
    {"abc", "b$|c$", "ok [c]"},
    {"a1", "a\\1", "ok [a1]"},
    {"ant", "a\\nt", "ok [ant]"},
    {"a]b", "[a\\]]+", "ok [a]]"},
    {"a-9z", "[[:digit:]-z]+", "ok [-9z]"},
    {"aaaaaaa", "(a{2}){3}", "ok [aaaaaa] [aa]"},
    {"abab", "(a|ab)(c|bcd)?", "ok [ab] [ab] []"},
    {"abc", "(a|ab)(bc|c)", "ok [abc] [a] [bc]"},
    {"aaa", "(a*)(a*)", "ok [aaa] [aaa] []"},
    {"aaa", "(a+)(a+)", "ok [aaa] [aa] [a]"},
    {"ab", "(a?)(ab)?b?", "ok [ab] [a] []"},
    {"abb", "(a|ab)(b*)", "ok [abb] [a] [bb]"},
    {"abb", "a(b|bb)", "ok [abb] [bb]"},
    {"xabcabcy", "(abc)+", "ok [abcabc] [abc]"},
    {"zzabc", "(a|b|c)+", "ok [abc] [c]"},
    {"a.c", "[[:punct:]]", "ok [.]"},
    {"ag", "[[:xdigit:]]+", "ok [a]"},
    {"a b", "[[:blank:]]", "ok [ ]"},
    {"ab", "[[:cntrl:]]", "no"},
    {"abc", "[^[:alpha:]]", "no"},
    {"", ".*", "ok []"},
    {"", "a", "no"},
    {"abcdef", "b(c|d)*e", "ok [bcde] [d]"},
    {"b", "(a)|b", "ok [b] []"},
    {"aBc", "[[:upper:][:digit:]]", "ok [B]"},
    {"a\nb", "a.b", "ok [a\nb]"},
    {"a\nb", "a[^x]b", "ok [a\nb]"},
    {"a\nb", "a$", "no"},
    {"a\nb", "^b", "no"},
    {"a\tb", "a[[:space:]]b", "ok [a\tb]"},
    {"\x01", "[[:cntrl:]]", "ok [\x01]"},
    {"\xc3\xa9", "^[^a]{2}$", "ok [\xc3\xa9]"},
    {"\xc3\xa9", "[[:alpha:]]", "no"},
};

TEST(RuntimeRegex, MatchesAsSystemTapDoes) {
  for (const StapCase& c : kStap) EXPECT_EQ(show(c.pattern, c.subject), c.expected) << c.pattern << " on " << c.subject;
}

const StapCase kStapGenerated[] = {
#include "regex_stap_generated.inc"
};

TEST(RuntimeRegex, MatchesAsSystemTapDoesOnGeneratedCases) {
  for (const StapCase& c : kStapGenerated)
    EXPECT_EQ(show(c.pattern, c.subject), c.expected) << c.pattern << " on " << c.subject;
}

// ---- glibc and a backtracking matcher on generated cases ---------------------

// Random EREs over {a, b, c} in the syntax glibc and utap read alike.
class Generator {
 public:
  explicit Generator(unsigned seed) : rnd_(seed) {}
  std::string regex() { return alternation(2); }
  std::string subject() {
    std::string s;
    for (int n = pick(8); n > 0; --n) s += "abc"[pick(3)];
    return s;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rnd_); }
  std::string atom(int depth) {
    int r = pick(100);
    if (depth > 0 && r < 22) return "(" + alternation(depth - 1) + ")";
    if (r < 30) return ".";
    if (r < 38) {
      static const char* const sets[] = {"[ab]", "[^a]", "[a-b]", "[^bc]", "[[:alpha:]]", "[]a]", "[a-]"};
      return sets[pick(7)];
    }
    return std::string(1, "abc"[pick(3)]);
  }
  std::string piece(int depth) {
    std::string a = atom(depth);
    int r = pick(100);
    if (r < 15) return a + "*";
    if (r < 25) return a + "+";
    if (r < 33) return a + "?";
    if (r < 40) {
      static const char* const counts[] = {"{2}", "{1,2}", "{0,1}", "{2,}", "{0,2}", "{0}"};
      return a + counts[pick(6)];
    }
    return a;
  }
  std::string branch(int depth) {
    std::string s;
    for (int n = 1 + pick(3); n > 0; --n) s += piece(depth);
    int r = pick(100);
    if (r < 8) return "^" + s;
    if (r < 14) return s + "$";
    return s;
  }
  std::string alternation(int depth) {
    std::string s = branch(depth);
    for (int n = pick(3); n > 0; --n) s += "|" + branch(depth);
    return s;
  }
  std::mt19937 rnd_;
};

// The same semantics by depth-first search in priority order: per start,
// leftmost first, the first path to reach each end; the longest end wins.
// A (pc, position) visited before is not explored again (an earlier path
// had the higher priority), which is also what ends empty loops.
class Backtracker {
 public:
  Backtracker(const rx::Program& p, const std::string& s) : p_(p), s_(s), seen_(p.insns.size() * (s.size() + 1)) {}

  std::vector<int32_t> run() {
    for (size_t start = 0; start <= s_.size(); ++start) {
      std::vector<int32_t> caps(2 * p_.groups, -1);
      best_.clear();
      go(0, start, caps);
      if (!best_.empty()) return best_;
    }
    return {};
  }

 private:
  void go(size_t pc, size_t pos, std::vector<int32_t>& caps) {
    if (seen_[pc * (s_.size() + 1) + pos]) return;
    seen_[pc * (s_.size() + 1) + pos] = true;
    const rx::Insn& in = p_.insns[pc];
    auto consume = [&](bool ok) {
      if (ok && pos < s_.size()) go(pc + 1, pos + 1, caps);
    };
    unsigned char b = pos < s_.size() ? static_cast<unsigned char>(s_[pos]) : 0;
    switch (in.op) {
      case rx::Insn::Op::Byte: consume(in.byte == b); break;
      case rx::Insn::Op::Class: consume(p_.classes[in.x][b / 64] >> (b % 64) & 1); break;
      case rx::Insn::Op::Any: consume(true); break;
      case rx::Insn::Op::Split:
        go(in.x, pos, caps);
        go(in.y, pos, caps);
        break;
      case rx::Insn::Op::Jump: go(in.x, pos, caps); break;
      case rx::Insn::Op::Save: {
        int32_t old = caps[in.x];
        caps[in.x] = static_cast<int32_t>(pos);
        go(pc + 1, pos, caps);
        caps[in.x] = old;
        break;
      }
      case rx::Insn::Op::LineStart:
        if (pos == 0) go(pc + 1, pos, caps);
        break;
      case rx::Insn::Op::LineEnd:
        if (pos == s_.size()) go(pc + 1, pos, caps);
        break;
      case rx::Insn::Op::Match:
        if (best_.empty() || static_cast<int32_t>(pos) > best_[1]) best_ = caps;
        break;
    }
  }

  const rx::Program& p_;
  const std::string& s_;
  std::vector<bool> seen_;
  std::vector<int32_t> best_;
};

// glibc's regexec misplaces matches when '^' or '$' sits inside a group
// ("b|^a*(.)(^(c)?a){0,2}" on "aca": (0,3), though '^' cannot match at 2);
// such regexes are checked against the backtracker only.
bool anchorInGroup(const std::string& pattern) {
  int depth = 0;
  for (char ch : pattern) {
    depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
    if (depth > 0 && (ch == '^' || ch == '$')) return true;
  }
  return false;
}

TEST(RuntimeRegex, OverallMatchAgreesWithGlibcAndGroupsWithBacktracking) {
  Generator gen(20261122);
  int checked = 0, matched = 0, withGlibc = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string pattern = gen.regex();
    Compiled c(pattern);
    ASSERT_TRUE(c.ok()) << pattern << ": " << c.error();
    bool useGlibc = !anchorInGroup(pattern);
    regex_t posix;
    if (useGlibc) ASSERT_EQ(regcomp(&posix, pattern.c_str(), REG_EXTENDED), 0) << pattern;
    for (int j = 0; j < 5; ++j) {
      std::string subject = gen.subject();
      std::vector<int32_t> spans = c.exec(subject);
      EXPECT_EQ(spans, Backtracker(c.program(), subject).run()) << pattern << " on '" << subject << "'";
      ++checked;
      matched += !spans.empty();
      if (!useGlibc) continue;
      ++withGlibc;
      regmatch_t m[1];
      bool glibc = regexec(&posix, subject.c_str(), 1, m, 0) == 0;
      ASSERT_EQ(!spans.empty(), glibc) << pattern << " on '" << subject << "'";
      if (!glibc) continue;
      EXPECT_EQ(spans[0], m[0].rm_so) << pattern << " on '" << subject << "'";
      EXPECT_EQ(spans[1], m[0].rm_eo) << pattern << " on '" << subject << "'";
    }
    if (useGlibc) regfree(&posix);
  }
  EXPECT_EQ(checked, 20000);
  EXPECT_GT(withGlibc, checked / 2);
  EXPECT_GT(matched, checked / 4);  // the generator is not degenerate
}

// Random byte soup from the metacharacters: the compiler accepts or refuses
// (never crashes), and what it accepts the matcher runs within its scratch
// (ASan and the guard bytes watch) and as the backtracker does.
TEST(RuntimeRegex, AnyPatternCompilesOrIsRefusedAndRunsInBounds) {
  std::mt19937 rnd(4);
  const std::string alphabet = "()[]{}*+?|^$\\-:,.ab1]2[:alpha:]";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string pattern;
    for (int n = std::uniform_int_distribution<int>(0, 16)(rnd); n > 0; --n)
      pattern += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rnd)];
    Compiled c(pattern);
    if (!c.ok()) continue;
    ++accepted;
    for (const char* subject : {"", "ab1", "a:b]2-", "[[ab,1}}"}) {
      std::vector<int32_t> spans = c.exec(subject);
      ASSERT_EQ(spans, Backtracker(c.program(), subject).run()) << pattern << " on '" << subject << "'";
    }
  }
  EXPECT_GT(accepted, 1000);
}

// ---- bounds -------------------------------------------------------------------

TEST(RuntimeRegex, LongSubjectsAndLargeProgramsStayInTheirScratch) {
  std::string subject(MAXSTRINGLEN - 1, 'a');
  subject[subject.size() / 2] = 'b';
  EXPECT_EQ(show("a{50}b(a|aa)*$", subject).substr(0, 2), "ok");
  EXPECT_EQ(show("(a*)*(a*)*c", subject), "no");
  Compiled big("(a|b){300}");
  ASSERT_TRUE(big.ok()) << big.error();
  EXPECT_LE(big.program().workSize(), rx::kMaxWorkSize);
  EXPECT_EQ(show("(a|b){300}", std::string(100, 'a') + std::string(300, 'b')),
            "ok [" + std::string(100, 'a') + std::string(200, 'b') + "] [b]");
}

// ---- the last match: matched(), ngroups() ------------------------------------

class RuntimeRegexContext : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(utap_contexts_init(64 * 1024), 0);
    c_ = utap_context_get("begin", MAXACTION);
    ASSERT_NE(c_, nullptr);
  }
  void TearDown() override {
    utap_context_put(c_);
    utap_contexts_free();
  }
  // matched(n)'s text, or "error N" with utap_regex_group()'s status.
  std::string matched(int64_t n) {
    char ret[MAXSTRINGLEN];
    memset(ret, 'x', sizeof(ret));
    int err = utap_regex_group(c_, ret, n);
    EXPECT_STREQ(ret, err ? "" : ret);
    return err ? "error " + std::to_string(err) : ret;
  }
  utap_context* c_ = nullptr;
};

TEST_F(RuntimeRegexContext, MatchedReadsACopyOfTheSubject) {
  Compiled c("w(or)(x)?");
  char subject[MAXSTRINGLEN];
  strcpy(subject, "hello world");
  EXPECT_EQ(utap_regex_match(c_, c.re(), subject), 1);
  strcpy(subject, "changed");
  EXPECT_EQ(matched(0), "wor");
  EXPECT_EQ(matched(1), "or");
  EXPECT_EQ(matched(2), "");  // took no part
  EXPECT_EQ(utap_regex_ngroups(c_), 3);
  EXPECT_EQ(c_->error, nullptr);
  EXPECT_EQ(c_->frames_used, 0u);
}

TEST_F(RuntimeRegexContext, NonexistentGroups) {
  Compiled c("(q)");
  ASSERT_EQ(utap_regex_match(c_, c.re(), "q"), 1);
  EXPECT_EQ(matched(1), "q");
  EXPECT_EQ(matched(2), "error " + std::to_string(-ERANGE));
  EXPECT_EQ(matched(-1), "error " + std::to_string(-ERANGE));
  EXPECT_EQ(matched(INT64_MIN), "error " + std::to_string(-ERANGE));
}

TEST_F(RuntimeRegexContext, AFailedMatchHasNoGroups) {
  EXPECT_EQ(matched(0), "error " + std::to_string(-ENOENT));  // no match yet
  Compiled c("x"), d("(b)");
  EXPECT_EQ(utap_regex_match(c_, d.re(), "abc"), 1);
  EXPECT_EQ(utap_regex_match(c_, c.re(), "abc"), 0);
  EXPECT_EQ(matched(0), "error " + std::to_string(-ENOENT));
  EXPECT_EQ(utap_regex_ngroups(c_), -ENOENT);
  EXPECT_EQ(c_->error, nullptr);
}

TEST_F(RuntimeRegexContext, MatchingAboveFramesInUse) {
  Compiled c("(a|b)+c");
  ASSERT_NE(utap_frame_push(c_, 1024), nullptr);
  memset(c_->frames, 0x5a, 1024);
  EXPECT_EQ(utap_regex_match(c_, c.re(), "xxababcx"), 1);
  for (int i = 0; i < 1024; ++i) ASSERT_EQ(static_cast<unsigned char>(c_->frames[i]), 0x5a) << i;
  EXPECT_EQ(matched(0), "ababc");
  utap_frame_pop(c_, 1024);
}

TEST_F(RuntimeRegexContext, TooLittleScratchIsAnErrorNotAnOverrun) {
  Compiled c("(a|b)+c");
  // Leave less room than the program needs.
  size_t need = c.program().workSize();
  ASSERT_NE(utap_frame_push(c_, c_->frames_size - need + 16), nullptr);
  EXPECT_EQ(utap_regex_match(c_, c.re(), "abc"), 0);
  ASSERT_NE(c_->error, nullptr);
  EXPECT_NE(std::string(c_->error).find("scratch memory"), std::string::npos);
}

}  // namespace
