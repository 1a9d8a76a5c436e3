#!/usr/bin/env python3
"""Checks the output of formats.stp and no_table.stp (utap.stacks): each
line of each section in stap's format for that function, and the sections
agreeing with each other (the same frames, names and files).

usage: formats_check.py complete|no-table PROGRAM < script-output
"""
import re
import sys

H16 = r"0x[0-9a-f]{16}"
NAME = r"[A-Za-z_][\w.:~<>]*"
OFF = r"0x[0-9a-f]+"
FULL = re.compile(rf"^ ({H16}) : ({NAME})\+{OFF}/{OFF} \[(/\S+)\]$")
FULL_NONAME = re.compile(rf"^ ({H16}) \[(/\S+)\+{OFF}/{OFF}\]$")
BRIEF = re.compile(rf"^({NAME})\+{OFF}$")
SIMPLE = re.compile(rf"^({NAME})\+{OFF} \[([^/\s]+)\]$")
MARKER = re.compile(r"^ <backtrace ends: .+>$")
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def sections(lines):
    out, current = {}, None
    for line in lines:
        m = re.match(r"^(name|data|mod|callers|hex|third): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
            current = None
        elif re.match(r"^(full|brief|simple|ustack|sustack):$", line):
            current = line[:-1]
            out[current] = []
        elif current:
            out[current].append(line)
    return out


def matched(pattern, lines, what):
    result = []
    for line in lines:
        m = pattern.match(line)
        check(m, f"{what}: not in its format: {line!r}")
        if m:
            result.append(m.groups())
    return result


def complete(s, program):
    check(s.get("name") == "deep", f"usymname(uaddr()) is {s.get('name')!r}, not 'deep'")
    check(re.match(rf"^deep\+{OFF}/{OFF} \[/\S+/{program}\]$", s.get("data", "")), f"usymdata: {s.get('data')!r}")
    check(s.get("mod", "").endswith("/" + program), f"umodname: {s.get('mod')!r}")
    full = matched(FULL, s.get("full", []), "print_ubacktrace")
    addrs = [int(a, 16) for a, _, _ in full]
    names = [n for _, n, _ in full]
    check(names[:2] == ["deep", "compare"], f"print_ubacktrace starts {names[:2]}")
    check("main" in names and names[-1] == "_start", f"print_ubacktrace does not reach _start: {names}")
    brief = matched(BRIEF, s.get("brief", []), "print_ubacktrace_brief")
    check([n for (n,) in brief] == names, "print_ubacktrace_brief's names differ from print_ubacktrace's")
    simple = matched(SIMPLE, s.get("simple", []), "sprint_ubacktrace")
    check([n for n, _ in simple] == names, "sprint_ubacktrace's names differ")
    check([b for _, b in simple] == [f.rsplit("/", 1)[1] for _, _, f in full], "sprint_ubacktrace's files differ")
    hexes = s.get("hex", "")
    check(re.match(rf"^({H16} )+$", hexes + ""), f"ubacktrace is not hex words each with a space: {hexes!r}")
    check([int(w, 16) for w in hexes.split()] == addrs, "ubacktrace's addresses differ from print_ubacktrace's")
    for section in ("ustack", "sustack"):
        lines = [l for l in s.get(section, []) if l]
        check(matched(FULL, lines, section) == full, f"{section} differs from print_ubacktrace")
    callers = s.get("callers", "").split(" ")
    check(len(callers) == 3 and all(re.match(r"^0x[0-9a-f]+$", c) for c in callers), f"ucallers(2): {callers}")
    check([int(c, 16) for c in callers] == addrs[:3], "ucallers(2) is not the first three frames")


def no_table(s, program):
    lines = s.get("full", [])
    check(len(lines) >= 4, f"too few lines: {lines}")
    named = matched(FULL, lines[:2], "frames in the program")
    check([n for _, n, _ in named] == ["deep", "compare"], f"the program's frames: {named}")
    libc = FULL_NONAME.match(lines[2]) if len(lines) > 2 else None
    check(libc and "/libc.so" in libc.group(2), f"the frame in libc is not file+offset: {lines[2:3]}")
    check(MARKER.match(lines[-1]), f"no end marker: {lines[-1:]}")
    for line in lines[3:-1]:  # frames found by frame pointers: never named without a table
        check(FULL_NONAME.match(line) or FULL.match(line), f"a frame not in its format: {line!r}")
    check(re.match(rf"^{H16}$", s.get("third", "")), f"usymname of the libc frame: {s.get('third')!r}")
    check(re.match(rf"^{H16} \[/\S+/libc\.so\.6\+{OFF}/{OFF}\]$", s.get("data", "")),
          f"usymdata of the libc frame: {s.get('data')!r}")


def main():
    mode, program = sys.argv[1], sys.argv[2]
    text = sys.stdin.read()
    s = sections(text.splitlines())
    (complete if mode == "complete" else no_table)(s, program)
    if problems:
        print("\n".join(problems))
        print("--- output ---\n" + text)
        sys.exit(1)
    print("ok")


main()
