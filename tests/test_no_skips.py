"""A test that is skipped on a machine set up by scripts/setup.sh is a defect: the suite
installs what its tests need (the dev extra, Chromium) instead of skipping."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIPS = re.compile(r"importorskip\(|pytest\.skip\(|mark\.skip(if)?\b|mark\.xfail\b")


def test_no_test_skips_itself():
    found = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SKIPS.search(line)
    ]
    assert not found, "tests that skip instead of installing what they need:\n" + "\n".join(found)


def test_no_doctest_is_skipped():
    """Examples that cannot run (a collection, the network) are literal blocks (``::``),
    not doctests marked +SKIP that pytest reports as skipped."""
    src = TESTS.parent / "src"
    found = [
        f"{path.relative_to(src)}:{n}"
        for path in sorted(src.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "doctest: +SKIP" in line
    ]
    assert not found, found
