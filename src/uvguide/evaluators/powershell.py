"""PowerShell sessions (`pwsh-session`, `PS> ` prompts): what a Windows reader types. They hold
for Windows only; elsewhere the harness argument-checks their uv commands with the pinned uv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import static_checks, transcript
from ..blocks import Block
from ..results import BlockResult, CommandRun, FailureClass
from ..uv_calls import uv_invocations
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession


def parse(block: Block) -> list[transcript.Command]:
    try:
        commands = transcript.parse(block.body, transcript.POWERSHELL)
    except transcript.TranscriptError as error:
        raise BlockFailure(
            f"line {block.body_line + error.offset}: {error}", FailureClass.MALFORMED
        ) from None
    if not commands:
        raise BlockFailure("PowerShell block has no 'PS> ' command", FailureClass.MALFORMED)
    return commands


def commands(block: Block) -> list[CommandRun]:
    return [
        CommandRun(
            line=block.body_line + command.offset,
            text=command.text,
            uv_lines=1 if uv_invocations(command.text) else 0,
        )
        for command in parse(block)
    ]


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
