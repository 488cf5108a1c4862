"""bash/sh blocks: one script, run with `set -e -o pipefail`; it must exit as the page says."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .. import static_checks
from ..blocks import Block
from ..results import BlockResult, CommandRun
from ..uv_calls import uv_lines
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession


def commands(block: Block) -> list[CommandRun]:
    return [CommandRun(line=block.body_line, text=block.body, uv_lines=uv_lines(block.body))]


def check(block: Block, session: PageSession, result: BlockResult) -> None:
    if problems := static_checks.check_shell(session.sandbox, block.body):
        raise BlockFailure.static(problems, result)


def run(block: Block, session: PageSession, result: BlockResult) -> None:
    outcome = session.run(block, block.body, strict=True, command=0)
    result.commands[0] = replace(
        result.commands[0],
        executed=True,
        status=outcome.status,
        duration_s=outcome.duration_s,
        cpu_s=outcome.cpu_s,
    )
    session.check_status(block, outcome, command=0)
