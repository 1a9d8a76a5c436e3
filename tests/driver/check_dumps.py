#!/usr/bin/env python3
"""utap --dump-functions, --dump-probe-aliases and --dump-probe-types: each
line in stap's format, sorted as stap sorts, and the same as stap 4.8's own
dump (run here with -r on an installed kernel's headers) wherever both have
the item: a function's signature, a probe type.

    check_dumps.py UTAP UTAP_GUEST

stap needs a kernel's headers for -r: the one utap-guest --print-kernel
names. Without stap or such a kernel the test is skipped (exit 77), and
fails under CI=true.
"""
import os
import re
import shutil
import subprocess
import sys

FUNCTION = re.compile(r"^([A-Za-z]\w*):(long|string|unknown) \(((\w+:(long|string|unknown))(, \w+:(long|string|unknown))*)?\)"
                      r"( /\* (guru|unprivileged|myproc-unprivileged) \*/)?$")
ALIAS = re.compile(r"^[\w.*()\"]+ \+?= \S.*$")
PROBE_TYPE = re.compile(r"^\w+(\((number|string)\))?(\.\w+(\((number|string)\))?)*$")

problems = []


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        problems.append(f"'{' '.join(command)}' exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout.splitlines()


def check_lines(what, lines, pattern, minimum):
    if len(lines) < minimum:
        problems.append(f"{what}: only {len(lines)} lines")
    for line in lines:
        if not pattern.match(line):
            problems.append(f"{what}: not in stap's format: {line!r}")


def type_key(line):
    """stap's order of probe types: component by component, a name before
    the same name with (number), before (string); a point before its
    extensions."""
    key = []
    for part in line.split("."):
        m = re.match(r"(\w+)(?:\((number|string)\))?$", part)
        key.append((m.group(1), {None: 0, "number": 1, "string": 2}[m.group(2)]) if m else (part, 0))
    return key


def main():
    utap, guest = sys.argv[1], sys.argv[2]
    kernel = subprocess.run([guest, "--print-kernel"], capture_output=True, text=True)
    release = kernel.stdout.strip()
    missing = ("stap is not installed (apt-get install systemtap)" if not shutil.which("stap") else
               f"no kernel for stap -r: {kernel.stderr.strip()}" if kernel.returncode or not release else
               f"no headers for {release} (apt-get install linux-headers-{release})"
               if not os.path.exists(f"/lib/modules/{release}/build/Makefile") else None)
    if missing:
        print(("FAIL " if os.environ.get("CI") == "true" else "SKIP ") + missing)
        return 1 if os.environ.get("CI") == "true" else 77
    functions = run([utap, "--dump-functions"])
    aliases = run([utap, "--dump-probe-aliases"])
    types = run([utap, "--dump-probe-types"])
    check_lines("--dump-functions", functions, FUNCTION, 150)
    check_lines("--dump-probe-aliases", aliases, ALIAS, 10)
    check_lines("--dump-probe-types", types, PROBE_TYPE, 40)
    names = [line.split(":", 1)[0] for line in functions]
    if names != sorted(names):
        problems.append("--dump-functions is not sorted by name")
    alias_names = [line.split(" ", 1)[0] for line in aliases]
    if alias_names != sorted(alias_names):
        problems.append("--dump-probe-aliases is not sorted by name")
    if types != sorted(types, key=type_key):
        problems.append("--dump-probe-types is not in stap's order")
    for expected in ["set_user_int:unknown (addr:long, val:long) /* guru */",
                     "user_string:string (addr:long) /* myproc-unprivileged */",
                     "pp:string () /* unprivileged */"]:
        if expected not in functions:
            problems.append(f"--dump-functions lacks {expected!r}")
    for name in ["malloc", "malloc.return", "calloc", "calloc.return", "realloc", "realloc.return",
                 "free", "free.return", "oneshot", "init"]:
        if name not in alias_names:
            problems.append(f"--dump-probe-aliases lacks {name}")
    for expected in ["begin", "timer.ms(number)", "process(string).function(string).return",
                     "process.library(string).mark(string)"]:
        if expected not in types:
            problems.append(f"--dump-probe-types lacks {expected}")

    if release:
        stap = ["stap", "-r", release]
        stap_functions = run(stap + ["--dump-functions"])
        stap_types = set(run(stap + ["--dump-probe-types"]))
        # A function stap has too (same name, same parameter names) must
        # have stap's types. Privilege tags are compared apart: utap's
        # readers are myproc-unprivileged where stap's say unprivileged.
        by_signature = {}
        for line in stap_functions:
            head = line.split(" /*")[0]
            by_signature[re.sub(r":\w+", "", head.split(" ", 1)[1]) + head.split(":")[0]] = line
        compared = 0
        for line in functions:
            head = line.split(" /*")[0]
            key = re.sub(r":\w+", "", head.split(" ", 1)[1]) + head.split(":")[0]
            if key in by_signature:
                compared += 1
                theirs = by_signature[key]
                # stap says "unknown" where its tapset declares no type.
                ours_parts = re.split(r"[:(), ]+", line.split(" /*")[0])
                theirs_parts = re.split(r"[:(), ]+", theirs.split(" /*")[0])
                if any(a != b and b != "unknown" for a, b in zip(ours_parts, theirs_parts)):
                    problems.append(f"signature differs from stap's: {line!r} vs {theirs!r}")
        print(f"{compared} of {len(functions)} functions compared with stap's dump")
        # Points utap serves that stap refuses or makes elsewhere, on purpose
        # (README.md: where process probe points differ).
        extensions = re.compile(r"\.(call|exported)\.return$|^process\(number\)\.library|^timer\.profile$")
        invented = [t for t in types if t not in stap_types and not extensions.search(t)]
        print(f"{sum(1 for t in types if t in stap_types)} of utap's {len(types)} probe types are stap's; "
              f"{sum(1 for t in types if extensions.search(t))} are utap's extensions")
        if invented:
            problems.append(f"probe types stap does not have: {invented}")
    for p in problems:
        print("FAIL", p)
    print("FAIL" if problems else "PASS", f"({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
