#!/usr/bin/env python3
"""The docs cite only files that ship in the repository.

Usage: doc_links.py SOURCE_DIR [DOC...]

Reads README.md and docs/*.md (or the DOCs given: relative to SOURCE_DIR, or absolute) and
checks that
every relative Markdown link, every cited `*.md` page and every cited repository path
(`scanner/dns/x.cpp`, `tests/app/cli/y.sh`, ...) exists in SOURCE_DIR. A reader who follows a
citation must find the file: a page that lives outside the repository, or a source that
moved without its docs, fails here. Prints each missing target as DOC:LINE: TARGET and
exits 1; exits 0 when all resolve.

Not checked: URLs, in-page anchors, absolute paths other than pages (/usr/..., /tmp/...),
build outputs (build/...), and paths with a placeholder (`*`, `<...>`, `{...}`, an all-caps word such as
NAME or DIR), which name a family of files rather than one.
"""
import os
import re
import sys

# The top-level folders of the repository; a cited path starts with one of them.
TOP = ("docs", "common", "inference", "scanner", "results", "app", "tests", "scripts",
       "configs", "cmake")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
PATH = re.compile(r"(?<![\w./@:~-])((?:%s)/[\w./+*<>{}-]*[\w+*>}])" % "|".join(TOP))
PAGE = re.compile(r"(?<![\w.@:~/-])([\w./-]*[\w-]\.md)\b")
PLACEHOLDER_CHARS = re.compile(r"[*<>{}]")
PLACEHOLDER_WORD = re.compile(r"[A-Z][A-Z0-9_]*")  # NAME, DIR, N: a folder or file stand-in
URL = re.compile(r"^[a-z][a-z0-9+.-]*:")


def exists(root, doc_dir, target):
    """A target resolves relative to the citing page's folder or to the repository root, and
    only to a file inside the repository (an absolute path or `../` out of it never ships)."""
    for base in (doc_dir, root):
        path = os.path.realpath(os.path.join(base, target))
        if path.startswith(os.path.realpath(root) + os.sep) and os.path.exists(path):
            return True
    return False


def check(root, rel):
    missing = []
    doc_dir = os.path.dirname(os.path.join(root, rel))
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        lines = f.read().split("\n")
    for number, line in enumerate(lines, 1):
        cited = set()
        for m in LINK.finditer(line):
            target = m.group(1).split("#", 1)[0]
            if target and not URL.match(target):
                cited.add(target)
        without_urls = re.sub(r"\b[a-z][a-z0-9+.-]*://\S+", " ", line)
        for m in PATH.finditer(without_urls):
            cited.add(m.group(1).rstrip("."))
        for m in PAGE.finditer(without_urls):
            cited.add(m.group(1))
        for target in sorted(cited):
            if target.startswith("build/") or exists(root, doc_dir, target):
                continue
            if PLACEHOLDER_CHARS.search(target) or any(
                    PLACEHOLDER_WORD.fullmatch(part) for part in target.split("/")[1:]):
                continue  # a family of files, not one
            missing.append(f"{rel}:{number}: {target}")
    return missing


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    docs = sys.argv[2:]
    if not docs:
        docs = ["README.md"] + sorted(
            os.path.join("docs", n) for n in os.listdir(os.path.join(root, "docs"))
            if n.endswith(".md"))
    missing = []
    for rel in docs:
        missing += check(root, rel)
    for m in missing:
        print(f"missing: {m}")
    print(f"doc_links: {len(docs)} pages, {len(missing)} missing targets")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
