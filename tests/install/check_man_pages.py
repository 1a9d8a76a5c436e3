#!/usr/bin/env python3
"""The man pages and the commands agree: every option a command's help or
usage shows has an entry under the page's OPTIONS, and every entry there is
an option the command shows; each page renders without groff warnings.

    check_man_pages.py BIN_DIR DOC_DIR GENERATED_MAN_DIR
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_options(command):
    """The options a command's help (stdout) or usage (stderr) lists."""
    run = subprocess.run(command, capture_output=True, text=True)
    text = run.stdout + run.stderr
    # utap --help: option lines are indented by two spaces; usage lines
    # (utaprun, utap-guest) show them in brackets.
    found = set()
    for line in text.splitlines():
        if line.startswith("  -"):
            found.update(OPTION.findall(line.split("   ")[0]))
        elif "usage:" in line.lower() or line.startswith("       "):
            found.update(OPTION.findall(line))
    found.discard("--")
    return found


def page_options(path):
    """The options named by the .TP entries of a page's OPTIONS section."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    found, section = set(), None
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            section = line[3:].strip()
        elif section == "OPTIONS" and line == ".TP" and i + 1 < len(lines):
            tag = re.sub(r"\\f[BIRP]", "", lines[i + 1]).replace("\\-", "-")
            found.update(OPTION.findall(tag))
    return found


def render_warnings(path):
    run = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-ww", "-z", path], capture_output=True, text=True)
    return run.stderr.strip()


def main():
    bin_dir, doc_dir, man_dir = sys.argv[1:4]
    checks = [
        ([f"{bin_dir}/utap", "--help"], f"{doc_dir}/utap.1"),
        ([f"{bin_dir}/utaprun", "-h"], f"{doc_dir}/utaprun.8"),
        ([f"{bin_dir}/utap-guest", "--usage"], f"{doc_dir}/utap-guest.1"),
    ]
    failures = 0
    for command, page in checks:
        shown, documented = help_options(command), page_options(page)
        name = command[0].rsplit("/", 1)[-1]
        if len(shown) < 5:
            print(f"FAIL {name}: found only {sorted(shown)} in '{' '.join(command)}'")
            failures += 1
        for option in sorted(shown - documented):
            print(f"FAIL {name}: '{option}' is in its help but not under OPTIONS in {page}")
            failures += 1
        for option in sorted(documented - shown):
            print(f"FAIL {name}: '{option}' is under OPTIONS in {page} but not in its help")
            failures += 1
        print(f"{name}: {len(shown)} options in the help, {len(documented)} in {page.rsplit('/', 1)[-1]}")
    for page in [f"{doc_dir}/utap.1", f"{doc_dir}/utaprun.8", f"{doc_dir}/utap-guest.1", f"{man_dir}/utap-lang.7"]:
        if warnings := render_warnings(page):
            print(f"FAIL {page} renders with warnings:\n{warnings}")
            failures += 1
    print("FAIL" if failures else "PASS", f"({failures} problems)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
