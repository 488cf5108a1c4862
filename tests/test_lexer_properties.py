"""Property tests: malformed pages never crash the collector; every problem names a real line."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.lexer import PageLexer
from harness.model import Block, Problem
from harness.plugin import PageDocument, parse_page
from harness.settings import REPO_ROOT, page_variables

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
    return list(PageLexer(Path("page.md"), REPO_ROOT / "snippets", page_variables()).blocks(text))


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
def test_any_bytes_become_regions_not_tracebacks(tmp_path: Path, raw: bytes, text: str):
    page = tmp_path / "page.md"
    page.write_bytes(text.encode() + raw)
    document = PageDocument.parse(str(page), parse_page)
    for region in document.regions:
        assert isinstance(region[1].parsed, Block | Problem)


def test_a_huge_block_is_one_block():
    body = "\n".join(f"$ echo {n}\n{n}" for n in range(20_000))
    (block,) = lex(f"```console\n{body}\n```\n")
    assert isinstance(block, Block) and block.body.count("\n") == 40_000
