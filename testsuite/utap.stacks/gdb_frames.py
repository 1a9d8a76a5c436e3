#!/usr/bin/env python3
"""The stack check of utap.stacks: the "frame NAME" lines a script printed
(stdin) must name the same functions, in the same order, as gdb's
backtrace of the same program stopped at the same function, made now on
this host (gdb -batch -ex 'break FUNCTION' -ex run -ex bt).

gdb shows an inlined call as a frame of its own at its caller's address,
and a tail call it reconstructs from DWARF call-site records as a frame
too; the script's stack has the machine's frames, so only gdb's normal
frames (gdb.NORMAL_FRAME: each the outermost function at its address)
are compared. gdb
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
import tempfile


def canonical(name):
    name = re.sub(r"(\.(part|isra|constprop|cold|lto_priv)(\.\d+)?)+$", "", name)
    name = re.sub(r"^__GI_", "", name)
    return name.lstrip("_")


# Run inside gdb: each frame's kind and name, innermost first, up to main.
IN_GDB = """
import gdb
kinds = {gdb.NORMAL_FRAME: "normal", gdb.INLINE_FRAME: "inline", gdb.TAILCALL_FRAME: "tailcall"}
f = gdb.newest_frame()
while f is not None:
    print("FRAME %s %s" % (kinds.get(f.type(), "other"), f.name()))
    if f.name() == "main":
        break
    f = f.older()
"""


def gdb_frames(program, function, args):
    with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
        script.write(IN_GDB)
        script.flush()
        out = subprocess.run(
            ["gdb", "-batch", "-nx", "-ex", "set debuginfod enabled off", "-ex", f"break {function}",
             "-ex", "run", "-ex", "bt", "-ex", f"source {script.name}", "--args", program, *args],
            capture_output=True, text=True, timeout=240).stdout
    # A machine frame is gdb's normal frame; the inline frames before it
    # are calls inlined into it, at its address. A tail-call frame is one
    # gdb reconstructs from DWARF call-site records (qsort's jmp to qsort_r):
    # no return address of it is on the stack, so no unwinder (stap's
    # neither) finds it.
    frames = [m.group(1) for m in re.finditer(r"^FRAME normal (\S+)$", out, re.M)]
    if not frames:
        sys.exit(f"gdb gave no backtrace at {function} in {program}:\n{out}")
    print("gdb:\n" + "\n".join(l for l in out.splitlines() if l.startswith(("#", "FRAME"))))
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
