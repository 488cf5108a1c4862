"""What the pages say to readers: the test machinery stays out of the prose.

Words for the machine that runs the guide ("this machine", "the sandbox", "the docs CI") mean
nothing to a reader following a page on their own computer. Only the page that explains how the
guide is tested may use them. Code blocks, inline code and HTML comments (annotations) are not
prose and are not read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO

EXPLAINS_TESTING = REPO / "docs" / "reference" / "how-this-guide-is-tested.md"
# That page may name the machinery: explaining it is its job.
PAGES = [page for page in sorted((REPO / "docs").rglob("*.md")) if page != EXPLAINS_TESTING]
MACHINERY = re.compile(
    r"\b(this machine|test machine|CI machine|sandbox(?:es)?|docs CI|our CI|the harness)\b",
    re.IGNORECASE,
)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every prose line: fences, comments and inline code removed."""
    text = COMMENT.sub(lambda m: "\n" * m[0].count("\n"), text)
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if match := FENCE.match(line):
            marker = match[1]
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is None:
            lines.append((number, INLINE_CODE.sub("", line)))
    return lines


def test_the_page_that_explains_testing_exists():
    assert EXPLAINS_TESTING.is_file()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_prose_does_not_name_the_test_machinery(page: Path):
    found = [
        f"{page.relative_to(REPO)}:{number}: {match[0]!r} in: {line.strip()}"
        for number, line in prose_lines(page.read_text(encoding="utf-8"))
        for match in MACHINERY.finditer(line)
    ]
    assert not found, "\n".join(found)
