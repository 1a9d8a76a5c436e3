#!/usr/bin/env python3
"""Every function stap's tapset reference documents in the sections a
user-space script draws on is either in utap's library (utap
--dump-functions) or named in tapsets/README.md's list of documented stap
functions that are not here, with the reason. Prints the count per section
and the functions that are neither; exits 1 when there are any.

    check-coverage.py UTAP TAPSETS_README [REFERENCE_INDEX]

REFERENCE_INDEX is the tapset reference's index.html (Debian's
systemtap-doc: /usr/share/doc/systemtap-doc/tapsets/index.html). Without
it the check is skipped (exit 77), and fails under CI=true.
"""
import fnmatch
import html
import os
import re
import subprocess
import sys

# The reference's sections (their page names) that hold what a script about
# user space may call: context, time, memory, task time, errno, logging,
# random numbers, the user-memory readers and writers, strings, ansi,
# speculation, output switching, JSON, the byte-order helpers, queue
# statistics and the shell command.
SECTIONS = ["context_stp", "timestamp_stp", "ctime.stp", "system.stp", "memory_stp", "task_time_stp",
            "errno.stp", "logging.stp", "random.stp", "conversions.stp", "conversions-guru.stp",
            "string.stp", "ansi.stp", "speculation.stp", "switchfile.stp", "json.stp", "networking.stp",
            "queue_stats.stp", "rlimit.stp", "dev.stp", "floatingpoint.stp"]


def reference(index):
    """{section: [function names]} in the reference's order."""
    text = open(index, encoding="utf-8").read()
    sections, current = {}, None
    for href, title in re.findall(r'<a href="([^"#]+)">(.*?)</a>', text, re.S):
        page = href[:-len(".html")] if href.endswith(".html") else href
        if not href.startswith("API-"):
            current = page if page in SECTIONS else None
            if current:
                sections.setdefault(current, [])
            continue
        name = re.sub(r"<[^>]*>", "", html.unescape(title)).strip()
        if current and name.startswith("function::"):
            sections[current].append(name[len("function::"):].split()[0])
    return sections


def not_here(readme):
    """The names (globs allowed) in README's 'Documented stap functions
    that are not here' section."""
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"^### Documented stap functions that are not here\n(.*?)(?=^#)", text, re.S | re.M)
    if not m:
        sys.exit(f"{readme}: no section '### Documented stap functions that are not here'")
    return re.findall(r"`([A-Za-z_][\w*]*)`", m.group(1))


def main():
    utap, readme = sys.argv[1], sys.argv[2]
    index = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/doc/systemtap-doc/tapsets/index.html"
    if not os.path.exists(index):
        why = f"no tapset reference at {index} (apt-get install systemtap-doc)"
        print(("FAIL " if os.environ.get("CI") == "true" else "SKIP ") + why)
        return 1 if os.environ.get("CI") == "true" else 77
    dump = subprocess.run([utap, "--dump-functions"], capture_output=True, text=True, check=True).stdout
    have = {line.split(":", 1)[0] for line in dump.splitlines()}
    excused = not_here(readme)
    missing, total, present = [], 0, 0
    for section, names in reference(index).items():
        here = [n for n in names if n in have]
        gone = [n for n in names if n not in have]
        unexplained = [n for n in gone if not any(fnmatch.fnmatchcase(n, g) for g in excused)]
        total += len(names)
        present += len(here)
        print(f"{section}: {len(here)} of {len(names)} in utap" + (f"; not here: {' '.join(gone)}" if gone else ""))
        missing += unexplained
    print(f"all: {present} of {total} documented functions in utap, {total - present} explained in tapsets/README.md")
    for n in missing:
        print(f"FAIL {n}: neither in utap --dump-functions nor explained in tapsets/README.md")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
