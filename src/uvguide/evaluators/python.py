"""Python blocks: run with the page's interpreter; `#>` comments are what a statement prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import python_prints, static_checks
from ..blocks import Block
from ..page_rewrite import Edit
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
    sandbox = session.sandbox
    source = sandbox.state / f"block_{block.line}.py"
    sandbox.write(source, block.body)
    prints_file = sandbox.state / f"block_{block.line}.prints.json"
    runner = session.print_runner
    outcome = session.run(
        block,
        f'{INTERPRETER}"$py" "{runner}" "{source}" "{prints_file}"',
        strict=False,
        command=None,
    )
    result.command_time_s += outcome.duration_s
    result.command_cpu_s += outcome.cpu_s
    session.check_status(block, outcome, command=None)
    prints = sandbox.read(prints_file)
    if prints is None:
        return
    mismatches = python_prints.check(block.body, prints)
    if mismatches and session.update and block.recordable:
        for mismatch in mismatches:
            session.edits.append(
                Edit(
                    start=block.body_line - 1 + mismatch.start,
                    old_count=mismatch.count,
                    lines=tuple(f"{mismatch.indent}#> {line}".rstrip() for line in mismatch.actual),
                    indent=block.indent,
                )
            )
        result.recorded = True
    elif mismatches:
        raise BlockFailure(
            "\n".join(
                f"`#>` output after block line {m.line} differs:\n{m.diff}" for m in mismatches
            ),
            FailureClass.OUTPUT,
        )
