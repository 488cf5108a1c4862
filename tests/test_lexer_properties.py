"""Property tests: malformed pages never crash the collector; every problem names a real line."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import page_lexer
from uvguide.blocks import Block, Problem
from uvguide.plugin import PageDocument, lex_page

FRAGMENTS = st.sampled_from(
    [
        "```console", "```bash", "```python", "```", "````", "~~~", "```consol", "``` console",
        "```toml title=\"pyproject.toml\"", "```text title=\"../escape\"", "```{.console}",
        "    ```console", "\t```bash", "```console title=", "``` `weird`",
        "<!-- test: no-run reason=\"x\" -->", "<!-- test: skip -->", "<!-- test: hidden",
        "<!-- test: expect-fail status=2 -->", "<!-- test: expect-fail status=0 -->",
        "<!-- test: run timeout=-1 -->", "<!-- test: \"unclosed -->", "<!-- test: -->",
        "<!-- test: bogus a=b -->", "-->", "$ echo hi", "$ ", "> continued", "hi", "...",
        "[..]", "--8<-- \"missing.txt\"", "{{ uv_version }}", "{{ nope }}", "", "# Title",
        "=== \"Tab\"", "!!! note",
    ]
)  # fmt: skip
PAGES = st.lists(FRAGMENTS | st.text(max_size=30), max_size=40).map("\n".join)


def lex(text: str) -> list[Block | Problem]:
    return list(page_lexer(Path("page.md")).blocks(text))


@settings(max_examples=300, deadline=None)
@given(PAGES)
def test_the_lexer_never_raises_and_problems_name_real_lines(text: str):
    lines = max(len(text.splitlines()), 1)
    for item in lex(text):
        assert 1 <= item.line <= lines
        if isinstance(item, Problem):
            assert str(item).startswith(f"page.md:{item.line}: ")


@settings(max_examples=300, deadline=None)
@given(PAGES)
def test_blocks_never_overlap(text: str):
    blocks = [item for item in lex(text) if isinstance(item, Block)]
    for first, second in itertools.pairwise(blocks):
        assert first.end <= second.start


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400), PAGES)
# Found by this test: an undecodable byte on a fence's closing line put the error's region
# inside the block's.
@example(raw=b"\x0b\x80", text="```console\n```")
def test_any_bytes_become_regions_not_tracebacks(tmp_path: Path, raw: bytes, text: str):
    regions(tmp_path, text.encode() + raw)


def regions(tmp_path: Path, raw: bytes) -> list[Block | Problem]:
    page = tmp_path / "page.md"
    page.write_bytes(raw)
    lexer = page_lexer(Path("page.md"))
    document = PageDocument.parse(str(page), lambda doc: lex_page(doc, lexer)[0])
    parsed = [region.parsed for _, region in document.regions]
    assert all(isinstance(item, Block | Problem) for item in parsed)
    return parsed


def test_an_undecodable_byte_in_a_block_is_an_error_on_its_line_and_the_block_does_not_run(
    tmp_path: Path,
):
    page = b"```console\n$ echo ok\nok\n```\n\n```console\n$ echo \xff\n```\n"
    first, problem = regions(tmp_path, page)
    assert isinstance(first, Block) and first.line == 1
    assert isinstance(problem, Problem)
    assert (problem.line, problem.message) == (7, "not valid UTF-8")


def test_a_huge_block_is_one_block():
    body = "\n".join(f"$ echo {n}\n{n}" for n in range(20_000))
    (block,) = lex(f"```console\n{body}\n```\n")
    assert isinstance(block, Block) and block.body.count("\n") == 40_000


def test_the_lexer_needs_no_uv(tmp_path: Path):
    """Lexing is pure: these tests pass with no uv anywhere on PATH."""
    path = ":".join(p for p in os.environ["PATH"].split(":") if not (Path(p) / "uv").exists())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", __file__, "-k", "not needs_no_uv"],
        env={**os.environ, "PATH": path}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
