"""Python blocks: run with the page's interpreter; `#>` comments are what a statement prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import python_prints, static_checks
from ..blocks import Block
from ..results import BlockResult, CommandRun, FailureClass
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession

# The page's own venv when it made one, as `python` would be for the reader.
INTERPRETER = (
    'if [ -n "${VIRTUAL_ENV:-}" ]; then py=python; '
    "elif [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi; "
)


def commands(block: Block) -> list[CommandRun]:
    return []


def check(block: Block, session: PageSession, result: BlockResult) -> None:
    if error := static_checks.python_syntax(block.body):
        raise BlockFailure(f"Python syntax: {error}", FailureClass.MALFORMED)


def run(block: Block, session: PageSession, result: BlockResult) -> None:
    check(block, session, result)
    state = session.sandbox.state
    source = state / f"block_{block.line}.py"
    source.write_text(block.body, encoding="utf-8")
    prints = state / f"block_{block.line}.prints.json"
    runner = session.print_runner
    outcome = session.run(
        block, f'{INTERPRETER}"$py" "{runner}" "{source}" "{prints}"', strict=False, command=None
    )
    result.command_time_s += outcome.duration_s
    session.check_status(block, outcome, command=None)
    if not prints.exists():
        return
    if mismatches := python_prints.check(block.body, prints):
        raise BlockFailure(
            "\n".join(
                f"`#>` output after block line {m.line} differs:\n{m.diff}" for m in mismatches
            ),
            FailureClass.OUTPUT,
        )
