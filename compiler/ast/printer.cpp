#include "ast/printer.h"

#include <fmt/format.h>

#include "ast/precedence.h"
#include "ast/visitor.h"
#include "base/stack_guard.h"
#include "base/utf8.h"

namespace utap::ast {

namespace {

// A string literal for `s`: printable text as is (UTF-8 too), everything
// else escaped, so that the printed script is valid UTF-8 and reads back
// to the same bytes.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = utf8SequenceLength(std::string_view(s).substr(i, 4));
      if (len) {
        out.append(s, i, len);
        i += len - 1;
      } else {
        out += fmt::format("\\{:03o}", c);
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\{:03o}", c);
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string number(int64_t v) {
  // A negative value can only come from a literal that wrapped around
  // (0xffffffffffffffff); print it the same way so it parses back to it.
  if (v < 0) return fmt::format("{:#x}", static_cast<uint64_t>(v));
  return std::to_string(v);
}

// Records, when a visit ends, how tightly what it printed binds (after the
// children, which set it too).
struct Printed {
  int& slot;
  int precedence;
  ~Printed() { slot = precedence; }
};

class ExprPrinter : public Visitor {
 public:
  std::string out;

  // Prints `e`, in parentheses when it binds more loosely than `minPrec`.
  // Each visit leaves the precedence of what it printed in `printed_`.
  void print(const Expr& e, int minPrec) {
    if (stackExhausted()) throw TooDeep();
    size_t mark = out.size();
    const_cast<Expr&>(e).accept(*this);
    if (printed_ < minPrec) {
      out.insert(mark, 1, '(');
      out += ')';
    }
    printed_ = kPrimary;
  }
  int printed_ = kPrimary;

  void list(const std::vector<ExprPtr>& items) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += ", ";
      if (items[i])
        print(*items[i], kAssign);
      else
        out += '*';
    }
  }

  void visit(NumberLit& n) override { out += number(n.value); }
  void visit(StringLit& n) override { out += quote(n.value); }
  void visit(Symbol& n) override { out += n.name; }
  void visit(IndexExpr& n) override {
    print(*n.base, kPrimary);
    out += '[';
    list(n.keys);
    out += ']';
  }
  void visit(CallExpr& n) override {
    out += n.name + "(";
    list(n.args);
    out += ')';
  }
  void visit(PrintCall& n) override {
    out += n.name + "(";
    if (n.format) {
      out += quote(n.format->value);
      if (!n.args.empty()) out += ", ";
    }
    list(n.args);
    out += ')';
  }
  void visit(UnaryExpr& n) override {
    Printed done{printed_, kUnary};
    out += spelling(n.op);
    size_t mark = out.size();
    print(*n.operand, kUnary);
    // "- -x" must not become "--x", nor "! ~x" become "!~x".
    char first = out.size() > mark ? out[mark] : ' ';
    bool clash = ((n.op == UnaryOp::Minus || n.op == UnaryOp::Plus) && (first == '-' || first == '+')) ||
                 (n.op == UnaryOp::Not && (first == '~' || first == '='));
    if (clash) out.insert(mark, " ");
  }
  void visit(IncDecExpr& n) override {
    Printed done{printed_, n.prefix ? kUnary : kPostfix};
    const char* op = n.increment ? "++" : "--";
    if (n.prefix) out += op;
    print(*n.operand, n.prefix ? kUnary : kPostfix);
    if (!n.prefix) out += op;
  }
  void visit(BinaryExpr& n) override {
    int p = ast::precedenceOf(n.op);
    Printed done{printed_, p};
    print(*n.lhs, p);
    out += fmt::format(" {} ", spelling(n.op));
    print(*n.rhs, p + 1);
  }
  void visit(AssignExpr& n) override {
    Printed done{printed_, kAssign};
    print(*n.lhs, kUnary);
    out += fmt::format(" {} ", spelling(n.op));
    print(*n.rhs, kAssign);
  }
  void visit(TernaryExpr& n) override {
    Printed done{printed_, kTernary};
    print(*n.cond, kOrOr);
    out += " ? ";
    print(*n.then, kAssign);
    out += " : ";
    print(*n.otherwise, kTernary);
  }
  void visit(InExpr& n) override {
    Printed done{printed_, kIn};
    if (n.keys.size() == 1 && n.keys[0]) {
      print(*n.keys[0], kIn + 1);  // "(a in b) in c" keeps its parentheses
    } else {
      out += '[';
      list(n.keys);
      out += ']';
    }
    out += " in " + n.array->name;
  }
  void visit(StatExpr& n) override {
    out += fmt::format("{}(", spelling(n.op));
    print(*n.operand, kAssign);
    for (auto& p : n.params) {
      out += ", ";
      print(*p, kAssign);
    }
    out += ')';
  }
  void visit(TargetExpr& n) override {
    Printed done{printed_, n.addressOf ? kUnary : kPostfix};
    if (n.addressOf) out += '&';
    switch (n.base) {
      case TargetExpr::Base::Expr: {
        // "(x)[1]" is not "x[1]", an element of the array x.
        bool indexed = !n.path.empty() && n.path[0].index;
        bool ambiguous = indexed && (dynamic_cast<const Symbol*>(n.castOperand.get()) ||
                                     dynamic_cast<const StatExpr*>(n.castOperand.get()));
        print(*n.castOperand, ambiguous ? kPrimary + 1 : kPostfix);
        break;
      }
      case TargetExpr::Base::Dollar: out += n.name; break;
      case TargetExpr::Base::Cast:
        out += "@cast(";
        print(*n.castOperand, kAssign);
        out += ", " + quote(n.typeName);
        if (!n.module.empty()) out += ", " + quote(n.module);
        out += ')';
        break;
      case TargetExpr::Base::AtVar:
        out += "@var(" + quote(n.name);
        if (!n.module.empty()) out += ", " + quote(n.module);
        out += ')';
        break;
    }
    for (auto& a : n.path) {
      if (a.index) {
        out += '[';
        print(*a.index, kAssign);
        out += ']';
      } else {
        out += "->" + a.member;
      }
    }
    if (n.pretty == Pretty::Shallow) out += '$';
    if (n.pretty == Pretty::Deep) out += "$$";
  }
  void visit(SpecialExpr& n) override {
    static const char* const names[] = {"@defined", "@entry", "@kderef", "@uderef", "@kregister", "@uregister"};
    out += names[static_cast<int>(n.kind)];
    out += '(';
    list(n.operands);
    out += ')';
  }
  void visit(NamedOpExpr& n) override {
    switch (n.kind) {
      case NamedOpExpr::Kind::Perf: out += "@perf(" + quote(n.name) + ")"; break;
      case NamedOpExpr::Kind::Const:
        out += "@const(" + quote(n.name);
        if (!n.header.empty()) out += ", " + quote(n.header);
        out += ')';
        break;
      case NamedOpExpr::Kind::ProbeWrite: out += "@probewrite(" + n.name + ")"; break;
    }
  }
  void visit(EmbeddedExpr& n) override { out += "%{" + n.code + "%}"; }
};

class FilePrinter : public Visitor {
 public:
  std::string out;
  int indent = 0;

  void line(const std::string& text) {
    // Deep nesting is shown flat past 32 levels: 50,000 nested loops must
    // not print gigabytes of spaces.
    out.append(std::min(indent, 32) * 2, ' ');
    out += text;
    out += '\n';
  }
  std::string expr(const Expr& e) { return printExpr(e); }
  // Probe point arguments and global initializers are literals, where a
  // negative number is written with its sign.
  std::string literal(const Expr& e) {
    auto* num = dynamic_cast<const NumberLit*>(&e);
    return num && num->value < 0 ? std::to_string(num->value) : expr(e);
  }

  // A statement that is the body of if/while/for/foreach: a block opens on
  // the same line, anything else goes on the next line, indented.
  void body(Stmt& s) {
    if (stackExhausted()) throw TooDeep();
    if (auto* b = dynamic_cast<Block*>(&s)) {
      out.pop_back();  // the '\n' after the header
      out += " {\n";
      blockContents(*b);
      line("}");
    } else {
      ++indent;
      s.accept(*this);
      --indent;
    }
  }
  void blockContents(Block& b) {
    ++indent;
    for (auto& s : b.stmts) s->accept(*this);
    --indent;
  }

  void visit(Block& n) override {
    line("{");
    blockContents(n);
    line("}");
  }
  void visit(EmptyStmt&) override { line(";"); }
  void visit(ExprStmt& n) override { line(expr(*n.expr) + ";"); }
  void visit(IfStmt& n) override {
    line("if (" + expr(*n.cond) + ")");
    body(*n.then);
    if (n.otherwise) {
      line("else");
      body(*n.otherwise);
    }
  }
  void visit(WhileStmt& n) override {
    line("while (" + expr(*n.cond) + ")");
    body(*n.body);
  }
  void visit(ForStmt& n) override {
    auto part = [&](const ExprPtr& e) { return e ? expr(*e) : std::string(); };
    std::string cond = n.cond ? " " + expr(*n.cond) : "";
    std::string step = n.step ? " " + expr(*n.step) : "";
    line("for (" + part(n.init) + ";" + cond + ";" + step + ")");
    body(*n.body);
  }
  static const char* sortMark(Sort s) { return s == Sort::Ascending ? "+" : s == Sort::Descending ? "-" : ""; }
  void visit(ForeachStmt& n) override {
    std::string head = "foreach (";
    if (n.value) head += n.value->name + " = ";
    std::string keys;
    for (size_t i = 0; i < n.keys.size(); ++i) {
      if (i) keys += ", ";
      keys += n.keys[i].var->name + sortMark(n.keys[i].sort);
    }
    head += n.bracketed ? "[" + keys + "]" : keys;
    head += " in " + expr(*n.source);
    if (n.sortAggregate) head += std::string(" ") + spelling(*n.sortAggregate);
    head += sortMark(n.valueSort);
    if (n.limit) head += " limit " + expr(*n.limit);
    line(head + ")");
    body(*n.body);
  }
  void visit(DeleteStmt& n) override { line("delete " + expr(*n.target) + ";"); }
  void visit(NextStmt&) override { line("next;"); }
  void visit(BreakStmt&) override { line("break;"); }
  void visit(ContinueStmt&) override { line("continue;"); }
  void visit(ReturnStmt& n) override { line(n.value ? "return " + expr(*n.value) + ";" : "return;"); }
  void visit(TryStmt& n) override {
    line("try {");
    blockContents(*n.body);
    line(n.catchVar ? "} catch (" + n.catchVar->name + ") {" : "} catch {");
    blockContents(*n.handler);
    line("}");
  }

  std::string point(const ProbePoint& p) {
    std::string s;
    for (size_t i = 0; i < p.components.size(); ++i) {
      if (i) s += '.';
      s += p.components[i].name;
      if (p.components[i].arg) s += "(" + literal(*p.components[i].arg) + ")";
    }
    if (p.optional) s += '?';
    if (p.sufficient) s += '!';
    if (p.condition) s += " if (" + expr(*p.condition) + ")";
    return s;
  }
  std::string points(const std::vector<ProbePoint>& ps) {
    std::string s;
    for (size_t i = 0; i < ps.size(); ++i) s += (i ? ", " : "") + point(ps[i]);
    return s;
  }
  void openBlock(const std::string& head, Block& b) {
    line(head + " {");
    blockContents(b);
  }

  void visit(ProbeDecl& n) override {
    openBlock("probe " + points(n.points), *n.body);
    line("}");
  }
  void visit(AliasDecl& n) override {
    if (n.prologue) {
      openBlock("probe " + points(n.names) + " = " + points(n.points), *n.prologue);
      if (n.epilogue) {
        line("}, {");
        blockContents(*n.epilogue);
      }
    } else {
      openBlock("probe " + points(n.names) + " += " + points(n.points), *n.epilogue);
    }
    line("}");
  }
  void visit(GlobalDecl& n) override {
    std::string s = n.isPrivate ? "private global " : "global ";
    s += n.name;
    if (n.wrap) s += '%';
    if (n.size) s += fmt::format("[{}]", *n.size);
    if (n.init) {
      // Initializers are literals; a negative number is written with its sign.
      s += " = " + literal(*n.init);
    }
    line(s);
  }
  static const char* typeName(Type t) { return t == Type::Long ? ":long" : t == Type::String ? ":string" : ""; }
  void visit(FunctionDecl& n) override {
    std::string s = n.isPrivate ? "private function " : "function ";
    s += n.name + typeName(n.returnType) + "(";
    for (size_t i = 0; i < n.params.size(); ++i) s += (i ? ", " : "") + n.params[i].name + typeName(n.params[i].type);
    s += ')';
    if (n.priority) s += fmt::format(":{}", *n.priority);
    if (n.embedded) {
      line(s + " %{" + *n.embedded + "%}");
    } else {
      openBlock(s, *n.body);
      line("}");
    }
  }
  void visit(EmbeddedDecl& n) override { line("%{" + n.code + "%}"); }
};

}  // namespace

std::string printExpr(const Expr& e) {
  ExprPrinter p;
  p.print(e, kAssign);
  return p.out;
}

std::string printProbePoint(const ProbePoint& point) { return FilePrinter().point(point); }

std::string printStmt(const Stmt& stmt, int indent) {
  FilePrinter p;
  p.indent = indent;
  const_cast<Stmt&>(stmt).accept(p);
  return p.out;
}

std::string printFile(const File& file) {
  FilePrinter p;
  p.out = "# parse tree dump\n# file " + file.name + "\n";
  for (auto& d : file.decls) d->accept(p);
  return p.out;
}

}  // namespace utap::ast
