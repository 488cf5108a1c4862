"""Lint every Python block of the pages: ruff's linter through pytest-examples, and ruff's
formatter as a check. Run by `nox -s lint`.

`#> text` lines are pytest-examples' print-output comments. Ruff's formatter would rewrite them
to `# > text`, so the format check puts them back before comparing.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples
from ruff.__main__ import find_ruff_bin

DOCS = Path(__file__).resolve().parents[1] / "docs"
PRINT_COMMENT = re.compile(r"^(\s*)# >", re.MULTILINE)


def ruff_format(source: str) -> str:
    result = subprocess.run(
        [find_ruff_bin(), "format", "--line-length", "88", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return PRINT_COMMENT.sub(r"\1#>", result.stdout)


@pytest.mark.parametrize("example", list(find_examples(DOCS)), ids=str)
def test_python_block(example: CodeExample, eval_example: EvalExample) -> None:
    eval_example.set_config(line_length=88, quotes="double", target_version="py310")
    eval_example.lint_ruff(example)
    formatted = ruff_format(example.source)
    if formatted != example.source:
        diff = difflib.unified_diff(
            example.source.splitlines(), formatted.splitlines(), "page", "ruff format", lineterm=""
        )
        pytest.fail(f"{example}: not ruff-formatted:\n" + "\n".join(diff), pytrace=False)
