"""Lint every Python block of the pages with pytest-examples (ruff, and its formatter check).

Run by `nox -s lint`; with `--update-examples` it reformats the blocks in place instead.
"""

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("example", find_examples(DOCS), ids=str)
def test_python_block(example: CodeExample, eval_example: EvalExample) -> None:
    eval_example.set_config(line_length=88, quotes="double", target_version="py310")
    if eval_example.update_examples:
        eval_example.format(example)
    else:
        eval_example.lint(example)
