"""The release notes of a version: its section of CHANGELOG.md, without the heading.

    python scripts/releasing/changelog.py 0.2.0 > notes.md    # the release workflow's notes

A version with no section, or an empty one, fails: a release always says what it brings.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"


def section(text: str, version: str) -> str:
    """The body of ``## [version]`` (Keep a Changelog's heading, a date may follow) up to the
    next ``## `` heading, stripped; ValueError when there is none or it is empty."""
    heading = re.compile(rf"^## \[{re.escape(version)}\](?:\s.*)?$", re.MULTILINE)
    found = heading.search(text)
    if found is None:
        raise ValueError(f"CHANGELOG.md has no section ## [{version}]")
    following = re.compile(r"^## ", re.MULTILINE).search(text, found.end())
    body = text[found.end() : following.start() if following else len(text)].strip()
    if not body:
        raise ValueError(f"CHANGELOG.md's section ## [{version}] is empty")
    return body + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: changelog.py VERSION", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(section(CHANGELOG.read_text(), argv[0].removeprefix("v")))
    except ValueError as error:
        print(f"changelog.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
