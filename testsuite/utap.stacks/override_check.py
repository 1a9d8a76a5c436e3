#!/usr/bin/env python3
"""Checks the output of backtrace_regs.stp (utap.stacks): the (pc, sp, fp)
overloads of print_ubacktrace and print_ubacktrace_fileline against the
plain forms, and print_ubacktrace_fileline against print_ubacktrace (the
same lines with " at FILE:LINE" added where a line table covers the frame).

usage: override_check.py < script-output
"""
import re
import sys

H16 = r"0x[0-9a-f]{16}"
AT = re.compile(r" at \S+:\d+(?= \[|$)")
HEADERS = ("begin", "plain", "given", "caller", "fileline", "fileline given", "fileline caller")
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def sections(lines):
    out, current = {}, None
    for line in lines:
        if line.endswith(":") and line[:-1] in HEADERS:
            current = line[:-1]
            out[current] = []
        elif current:
            out[current].append(line)
    return out


def main():
    lines = [l.rstrip("\n") for l in sys.stdin]
    print("\n".join(lines))
    s = sections(lines)
    for h in HEADERS:
        check(h in s, f"no section {h!r}")
    if problems:
        sys.exit("\n".join(problems))
    check(s["begin"] == ["<no user backtrace at begin>"] * 2, f"in begin: {s['begin']}")
    plain, fileline = s["plain"], s["fileline"]
    frames = [l for l in plain if re.match(rf"^ {H16} ", l)]
    check(len(frames) >= 3, f"too few frames: {plain}")
    check(s["given"] == plain, "print_ubacktrace(uaddr(), rsp, rbp) differs from print_ubacktrace()")
    check(s["caller"] == plain[1:], "print_ubacktrace(caller's pc, sp, fp) is not print_ubacktrace() without frame 0")
    check(s["fileline given"] == fileline, "print_ubacktrace_fileline(uaddr(), rsp, rbp) differs")
    check(s["fileline caller"] == fileline[1:], "print_ubacktrace_fileline(caller's) is not the plain one without frame 0")
    check([AT.sub("", l) for l in fileline] == plain,
          "print_ubacktrace_fileline without its ' at FILE:LINE' is not print_ubacktrace")
    check(re.match(rf"^ {H16} : deep\+0x[0-9a-f]+/0x[0-9a-f]+ at /\S+/stacks\.c:13 \[/\S+/stacks-O0\]$",
                   fileline[0] if fileline else ""), f"frame 0: {fileline[:1]}")
    check(re.match(rf"^ {H16} : compare\+0x[0-9a-f]+/0x[0-9a-f]+ at /\S+/stacks\.c:\d+ \[/\S+/stacks-O0\]$",
                   fileline[1] if len(fileline) > 1 else ""), f"frame 1: {fileline[1:2]}")
    nolines = [l for l in fileline if re.match(rf"^ {H16} \[/\S+libc\.so\.6\+0x[0-9a-f]+/0x[0-9a-f]+\]$", l)]
    check(nolines, "no frame in libc (no table) printed without a line as print_ubacktrace prints it")
    if problems:
        sys.exit("\n".join(problems))
    print("overloads agree;", len(frames), "frames;", len(nolines), "without a line")


main()
