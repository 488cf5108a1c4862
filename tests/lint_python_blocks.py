"""Lint every Python block of the pages as the reader sees it (snippet includes expanded):
ruff's linter through pytest-examples, and ruff's formatter as a check. Run by `nox -s lint`.

`#> text` lines are pytest-examples' print-output comments. Ruff's formatter would rewrite them
to `# > text`, so the format check puts them back before comparing.
"""

from __future__ import annotations

import difflib
import re
import subprocess

import pytest
from pytest_examples import CodeExample, EvalExample
from ruff.__main__ import find_ruff_bin

from conftest import REPO, page_lexer
from uvguide.blocks import Block, Kind

PRINT_COMMENT = re.compile(r"^(\s*)# >", re.MULTILINE)


def python_blocks() -> list[CodeExample]:
    examples = []
    for page in sorted((REPO / "docs").rglob("*.md")):
        relative = page.relative_to(REPO)
        for item in page_lexer(relative).blocks(page.read_text(encoding="utf-8")):
            if isinstance(item, Block) and (
                item.kind is Kind.PYTHON or (item.title or "").endswith(".py")
            ):
                examples.append(CodeExample.create(item.body, path=relative, start_line=item.line))
    return examples


def ruff_format(source: str) -> str:
    result = subprocess.run(
        [find_ruff_bin(), "format", "--line-length", "88", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return PRINT_COMMENT.sub(r"\1#>", result.stdout)


@pytest.mark.parametrize("example", python_blocks(), ids=lambda e: f"{e.path}:{e.start_line}")
def test_python_block(example: CodeExample, eval_example: EvalExample) -> None:
    eval_example.set_config(line_length=88, quotes="double", target_version="py310")
    eval_example.lint_ruff(example)
    formatted = ruff_format(example.source)
    if formatted != example.source:
        diff = difflib.unified_diff(
            example.source.splitlines(), formatted.splitlines(), "page", "ruff format", lineterm=""
        )
        pytest.fail(
            f"{example.path}:{example.start_line}: not ruff-formatted:\n" + "\n".join(diff),
            pytrace=False,
        )
