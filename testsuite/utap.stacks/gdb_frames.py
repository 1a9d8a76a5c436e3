#!/usr/bin/env python3
"""The stack check of utap.stacks: the "frame NAME" lines a script printed
(stdin) must name the same functions, in the same order, as gdb's
backtrace of the same program stopped at the same function, made now on
this host (gdb -batch -ex 'break FUNCTION' -ex run -ex bt).

gdb shows an inlined call as a frame of its own at its caller's address;
the script's stack has the machine's frames, so gdb's frames are grouped
by address and each group counts as its outermost (real) function. gdb
names functions by their DWARF names, the module by its ELF symbols, so
names are compared without GCC's clone suffixes (msort_with_tmp.part.0 is
msort_with_tmp) and without glibc's alias prefixes (__GI___qsort_r and
qsort_r are one function). gdb stops at main (backtrace past-main is off);
so does the script.

usage: gdb_frames.py PROGRAM FUNCTION [ARG...] < script-output
"""
import re
import subprocess
import sys


def canonical(name):
    name = re.sub(r"(\.(part|isra|constprop|cold|lto_priv)(\.\d+)?)+$", "", name)
    name = re.sub(r"^__GI_", "", name)
    return name.lstrip("_")


def gdb_frames(program, function, args):
    out = subprocess.run(
        ["gdb", "-batch", "-nx", "-ex", "set debuginfod enabled off", "-ex", f"break {function}",
         "-ex", "run", "-ex", "bt", "--args", program, *args],
        capture_output=True, text=True, timeout=240).stdout
    frames = []  # [name, has_address]
    for line in out.splitlines():
        m = re.match(r"^#\d+\s+(0x[0-9a-f]+ in )?(.+?) \(", line)
        if not m:
            continue
        if m.group(1) or not frames:
            frames.append(m.group(2))
        else:
            frames[-1] = m.group(2)  # an inlined frame's caller: the same machine frame
    if not frames:
        sys.exit(f"gdb gave no backtrace at {function} in {program}:\n{out}")
    return [canonical(f) for f in frames]


def main():
    program, function, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    ours = [canonical(line[len("frame "):].strip()) for line in sys.stdin if line.startswith("frame ")]
    theirs = gdb_frames(program, function, args)
    if ours != theirs:
        print("utap's frames:", ours)
        print("gdb's frames: ", theirs)
        sys.exit(1)
    print("same", len(ours), "frames:", " <- ".join(ours))


main()
