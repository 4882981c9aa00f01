"""The release notes: a version's section of CHANGELOG.md (scripts/releasing/changelog.py, which
the release workflow runs), and the section of the version being released."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import node_pulumi
from scripts.releasing.changelog import CHANGELOG, section

SCRIPT = Path(__file__).parents[1] / "scripts" / "releasing" / "changelog.py"
TEXT = """# Changelog

## [Unreleased]

## [1.1.0] - 2026-12-04

### Added

- [1.0.0] is mentioned in a line, not a heading.

## [1.0.0] - 2026-11-27

The first.
"""


def test_a_section_is_its_body_up_to_the_next_heading() -> None:
    assert section(TEXT, "1.1.0") == (
        "### Added\n\n- [1.0.0] is mentioned in a line, not a heading.\n"
    )
    assert section(TEXT, "1.0.0") == "The first.\n"


def test_a_missing_or_empty_section_fails() -> None:
    with pytest.raises(ValueError, match=r"no section ## \[1\.0\]"):
        section(TEXT, "1.0")  # not a prefix match of 1.0.0
    with pytest.raises(ValueError, match="empty"):
        section(TEXT, "Unreleased")


def test_the_released_version_has_notes_and_the_script_prints_them_for_its_tag() -> None:
    version = node_pulumi.__version__
    expected = section(CHANGELOG.read_text(), version)
    printed = subprocess.run(
        [sys.executable, str(SCRIPT), f"v{version}"], capture_output=True, text=True, check=True
    )
    assert printed.stdout == expected
    missing = subprocess.run(
        [sys.executable, str(SCRIPT), "v99.0.0"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 1 and "no section ## [99.0.0]" in missing.stderr
