"""No silent drop: every fenced block of docs/ is seen by the lexer and has a runnable mode.

The fence count here is deliberately independent of the harness's lexer, so a block the lexer
fails to see (an odd info string, attributes, indentation) shows up as a difference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, page_lexer
from uvguide.blocks import Block, Kind, Mode, Problem

PAGES = sorted((REPO / "docs").rglob("*.md"))
OPENING = re.compile(r"^\s*(`{3,}|~{3,})")


def count_fences(text: str) -> int:
    count, open_fence = 0, None
    for line in text.splitlines():
        match = OPENING.match(line)
        if not match:
            continue
        fence = match[1]
        if open_fence is None:
            count, open_fence = count + 1, fence
        elif (
            fence[0] == open_fence[0]
            and len(fence) >= len(open_fence)
            and not line.strip()[len(fence) :].strip()
        ):
            open_fence = None
    return count


def test_docs_has_pages():
    assert len(PAGES) >= 3


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_block_is_seen_and_accounted_for(page: Path):
    text = page.read_text(encoding="utf-8")
    items = list(page_lexer(page.relative_to(REPO)).blocks(text))
    problems = [str(item) for item in items if isinstance(item, Problem)]
    assert not problems
    blocks = [item for item in items if isinstance(item, Block)]
    assert len(blocks) == count_fences(text)
    for block in blocks:
        if block.kind in (Kind.CONSOLE, Kind.SCRIPT, Kind.PYTHON) and block.mode in (
            Mode.NO_RUN,
            Mode.SKIP,
        ):
            assert block.reason, f"{block.page}:{block.line}: {block.mode} without a reason"
