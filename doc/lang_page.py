#!/usr/bin/env python3
"""Writes utap-lang(7) from the lists of differences from stap in README.md
and tapsets/README.md, so the page and the READMEs cannot drift: a list is a
paragraph starting with "Where" and ending in ":", then "- " items (with
two-space continuation lines, blank lines allowed between items).

    lang_page.py SOURCE_DIR OUTPUT VERSION
"""
import re
import sys


def roff_text(text):
    """Markdown inline text to roff: `code` in bold, escapes."""
    text = text.replace("\\", "\\e")
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", text)):
        part = part.replace("-", "\\-")
        part = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", part)
        out.append("\\fB" + part + "\\fR" if i % 2 else part)
    line = "".join(out)
    # A line starting with '.' or "'" would be a request.
    return "\\&" + line if line[:1] in (".", "'") else line


def difference_lists(markdown):
    """Yields (heading, [item, ...]) for each "Where ...:" list."""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        para = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith("- "):
            para.append(lines[i].strip())
            i += 1
        heading = " ".join(para)
        if not (heading.startswith("Where") and heading.endswith(":")) or lines[i - 1].startswith("#"):
            i += 1
            continue
        items = []
        while i < len(lines):
            line = lines[i]
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.startswith("  ") and items:
                items[-1] += " " + line.strip()
            elif line.strip():
                break
            i += 1
        yield heading, items


def heading_sections(markdown, titles):
    """Yields (title, blocks) for each "### TITLE" of `titles`: its paragraphs
    as ("p", text) and its list items as ("li", text), up to the next heading."""
    title, blocks = None, []
    for line in markdown.splitlines() + ["## end"]:
        if line.startswith("#"):
            if title:
                yield title, blocks
            name = line.lstrip("#").strip()
            title, blocks = (name, []) if name in titles else (None, [])
        elif title is None:
            continue
        elif line.startswith("- "):
            blocks.append(["li", line[2:].strip()])
        elif not line.strip():
            blocks.append(None)
        elif blocks and blocks[-1]:
            blocks[-1][1] += " " + line.strip()
        else:
            blocks.append(["p", line.strip()])
    return


def main():
    source, output, version = sys.argv[1:4]
    with open(f"{source}/README.md", encoding="utf-8") as f:
        sections = [(h, [["li", i] for i in items]) for h, items in difference_lists(f.read())]
    with open(f"{source}/tapsets/README.md", encoding="utf-8") as f:
        titles = ("Where utap's behaviour is a choice", "Documented stap functions that are not here")
        sections += [("Tapsets: " + t, [b for b in blocks if b]) for t, blocks in heading_sections(f.read(), titles)]
    if len(sections) < 6:
        sys.exit(f"lang_page.py: found only {len(sections)} lists of differences in the READMEs")
    page = [
        '.\\" Generated from README.md and tapsets/README.md by doc/lang_page.py: edit those.',
        f'.TH UTAP\\-LANG 7 "2026" "utap {version}" "utap"',
        ".SH NAME",
        "utap\\-lang \\- where utap's SystemTap language and behaviour differ from stap's",
        ".SH DESCRIPTION",
        "utap reads the SystemTap language as SystemTap 4.8 documents it (see",
        ".BR stap (1),",
        ".BR stapprobes (3stap)",
        "and",
        ".BR stapfuncs (3stap))",
        "and its tapset library has SystemTap's function names, parameters and types.",
        "It traces user space only: no kernel probe points and no kernel tapsets.",
        "This page lists, in one place, where it differs on purpose or for now.",
    ]
    page += [".SH DIFFERENCES"]
    for heading, blocks in sections:
        page += [".SS " + roff_text(heading.rstrip(":"))]
        for kind, text in blocks:
            page += [".IP \\(bu 2" if kind == "li" else ".PP", roff_text(text)]
    page += [".SH SEE ALSO", ".BR utap (1),", ".BR stap (1)"]
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
