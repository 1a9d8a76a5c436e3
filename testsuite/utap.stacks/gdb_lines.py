#!/usr/bin/env python3
"""The source-line check of utap.stacks: the frames print_ubacktrace_fileline()
printed (stdin) must be in stap's _STP_SYM_FULLER format
(" 0x... : name+0xoff/0xsize at FILE:LINE [/path/of/file]") and give, frame
by frame up to main, the function and the FILE:LINE that gdb gives for the
same frame of the same program stopped at the same place (gdb -batch
-ex 'break LOCATION' -ex run -ex bt), made now on this host.

Each frame's line is that of its address, as stap's: for a caller, the
return address, which is the code after the call (gdb.find_pc_line of the
frame's pc, not the call's line that gdb's bt shows; both are printed).
Only gdb's normal frames are machine frames (see gdb_frames.py). A frame
that gdb has no line for must have no " at FILE:LINE" either. Files are
compared as DWARF names them: utap's path (libdw's, the compilation
directory joined) must be gdb's name, or end with it where that is relative.

usage: gdb_lines.py PROGRAM LOCATION [ARG...] < script-output
"""
import os
import re
import subprocess
import sys
import tempfile

H16 = r"0x[0-9a-f]{16}"
NAME = r"[A-Za-z_][\w.:~<>]*"
OFF = r"0x[0-9a-f]+"
FULLER = re.compile(rf"^ ({H16}) : ({NAME})\+{OFF}/{OFF}(?: at (\S+):(\d+))? \[/\S+\]$")
FULLER_NONAME = re.compile(rf"^ ({H16}) \[/\S+\+{OFF}/{OFF}\](?: at (\S+):(\d+))?$")
MARKER = re.compile(r"^ <backtrace ends: .+>$")

# Run inside gdb: each normal frame's name and the file and line of its pc.
IN_GDB = """
import gdb
f = gdb.newest_frame()
while f is not None:
    if f.type() == gdb.NORMAL_FRAME:
        sal = gdb.find_pc_line(f.pc())
        where = "%s %d" % (sal.symtab.filename, sal.line) if sal.symtab and sal.line else "- 0"
        print("FRAME %s %s bt-line %d" % (f.name(), where, f.find_sal().line))
    if f.name() == "main":
        break
    f = f.older()
"""


def canonical(name):
    name = re.sub(r"(\.(part|isra|constprop|cold|lto_priv)(\.\d+)?)+$", "", name)
    name = re.sub(r"^__GI_", "", name)
    return name.lstrip("_")


def gdb_frames(program, location, args):
    with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
        script.write(IN_GDB)
        script.flush()
        out = subprocess.run(
            ["gdb", "-batch", "-nx", "-ex", "set debuginfod enabled off", "-ex", f"break {location}",
             "-ex", "run", "-ex", "bt", "-ex", f"source {script.name}", "--args", program, *args],
            capture_output=True, text=True, timeout=240).stdout
    frames = [(canonical(m.group(1)), None if m.group(2) == "-" else m.group(2), int(m.group(3)))
              for m in re.finditer(r"^FRAME (\S+) (\S+) (\d+) bt-line \d+$", out, re.M)]
    if not frames:
        sys.exit(f"gdb gave no backtrace at {location} in {program}:\n{out}")
    print("gdb:\n" + "\n".join(l for l in out.splitlines() if l.startswith(("#", "FRAME"))))
    return frames


def same_file(ours, theirs):
    if os.path.isabs(theirs):
        return os.path.normpath(ours) == os.path.normpath(theirs)
    ours, theirs = os.path.normpath(ours), os.path.normpath(theirs)
    return ours == theirs or ours.endswith("/" + theirs)


def main():
    program, location, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems, ours = [], []
    lines = [l.rstrip("\n") for l in sys.stdin]
    for line in lines:
        m, n = FULLER.match(line), FULLER_NONAME.match(line)
        if m:
            ours.append((canonical(m.group(2)), m.group(3), int(m.group(4) or 0)))
        elif n:
            ours.append((None, n.group(2), int(n.group(3) or 0)))
        elif not MARKER.match(line):
            problems.append(f"not in stap's _STP_SYM_FULLER format: {line!r}")
    names = [name for name, _, _ in ours]
    if "main" in names:
        ours = ours[:names.index("main") + 1]
    theirs = gdb_frames(program, location, args)
    if len(ours) != len(theirs):
        problems.append(f"{len(ours)} frames up to main, gdb has {len(theirs)}")
    for i, ((name, file, line), (gname, gfile, gline)) in enumerate(zip(ours, theirs)):
        where = f"frame {i} ({gname})"
        if name != gname:
            problems.append(f"{where}: utap names it {name}")
        if gfile is None and file is not None:
            problems.append(f"{where}: gdb has no line for it, utap says {file}:{line}")
        elif gfile is not None and (file is None or not same_file(file, gfile) or line != gline):
            problems.append(f"{where}: utap says {file}:{line}, gdb {gfile}:{gline}")
    print("utap:\n" + "\n".join(lines))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("same", len(ours), "frames and lines:", " <- ".join(f"{n}@{f}:{l}" for n, f, l in ours))


main()
