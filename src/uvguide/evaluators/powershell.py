"""PowerShell sessions (`pwsh-session`, `PS> ` prompts): what a Windows reader types. They hold
for Windows only; elsewhere the harness argument-checks their uv commands with the pinned uv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import static_checks, transcript
from ..blocks import Block
from ..results import BlockResult, CommandRun
from ..uv_calls import uv_invocations
from . import console
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession


def commands(block: Block) -> list[CommandRun]:
    return console.commands(block, transcript.POWERSHELL)


def check(block: Block, session: PageSession, result: BlockResult) -> None:
    sandbox = session.sandbox
    problems = [
        problem
        for command in result.commands
        for argv in uv_invocations(command.text)
        if (problem := static_checks.uv_argument_problem(sandbox, argv))
    ]
    if problems:
        raise BlockFailure.static(problems, result)


def run(block: Block, session: PageSession, result: BlockResult) -> None:
    raise AssertionError("the page session checks PowerShell sessions, it never runs them")
