"""Console blocks: a transcript, run command by command, each output compared with the page."""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import static_checks, transcript
from ..blocks import Block
from ..matcher import compare, differs_only_in_versions
from ..page_rewrite import Edit
from ..results import BlockResult, CommandRun, FailureClass
from ..strength import asserts_output, misplaced_flags
from ..uv_calls import uv_invocations
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession


def parse(block: Block, prompts: transcript.Prompts = transcript.SHELL) -> list[transcript.Command]:
    """The block's commands; a transcript that cannot be read is the page's fault."""
    try:
        commands = transcript.parse(block.body, prompts)
    except transcript.TranscriptError as error:
        raise BlockFailure(
            f"line {block.body_line + error.offset}: {error}", FailureClass.MALFORMED
        ) from None
    if not commands:
        raise BlockFailure(
            f"{block.language} block has no {prompts.command!r} command", FailureClass.MALFORMED
        )
    return commands


def commands(block: Block, prompts: transcript.Prompts = transcript.SHELL) -> list[CommandRun]:
    # Only a shell transcript runs here, so only its output can assert anything.
    runs = prompts is transcript.SHELL
    return [
        CommandRun(
            line=block.body_line + command.offset,
            text=command.text,
            uv_lines=1 if uv_invocations(command.text) else 0,
            asserts_output=asserts_output(command.expected) if runs else None,
        )
        for command in parse(block, prompts)
    ]


def check(block: Block, session: PageSession, result: BlockResult) -> None:
    note_misplaced_flags(session, result)
    sandbox = session.sandbox
    if problems := [p for c in result.commands for p in static_checks.check_shell(sandbox, c.text)]:
        raise BlockFailure.static(problems, result)


def note_misplaced_flags(session: PageSession, result: BlockResult) -> None:
    for command in result.commands:
        for argv in uv_invocations(command.text):
            for flag in misplaced_flags(argv, session.uv):
                session.notes.append(
                    f"line {command.line}: {flag} comes after what `{shlex.join(argv[:3])}` "
                    "runs, so it goes to that program, not to uv"
                )


def versions_only(expected: list[str], actual: list[str]) -> str:
    """Why an output may differ in version numbers alone, for the failure's message."""
    if not differs_only_in_versions(expected, actual):
        return ""
    return (
        "\nonly version numbers differ: the releases the index offers before the freeze date"
        " changed (the date, [tool.uv-guide] exclude-newer, moved, or a release dated before it"
        " arrived late), or a uv other than the pinned one chose differently"
    )


def run(block: Block, session: PageSession, result: BlockResult) -> None:
    note_misplaced_flags(session, result)
    for number, command in enumerate(parse(block)):
        last = number == len(result.commands) - 1
        outcome = session.run(block, command.text, strict=False, command=number)
        result.commands[number] = replace(
            result.commands[number],
            executed=True,
            status=outcome.status,
            duration_s=outcome.duration_s,
            cpu_s=outcome.cpu_s,
        )
        actual = session.sandbox.redact(outcome.output).splitlines()
        # A transcript cannot show trailing blank lines (they read as layout), so drop them.
        while actual and not actual[-1].strip():
            actual.pop()
        where = f"line {block.body_line + command.offset}: $ {command.text}"
        expected = "\n".join(command.expected)
        if status_problem := session.status_problem(block, outcome.status, last=last):
            result.changes = [status_problem, *(line for line in actual[:1])]
            raise BlockFailure.judged(
                f"{where}\n{status_problem}; output:\n" + "\n".join(actual),
                outcome.output, status=outcome.status, status_wrong=True, expected=expected,
                command=number,
            )  # fmt: skip
        varying = session.varying_lines(block, number, actual)
        comparison = compare(command.expected, actual)
        if comparison.matched:
            continue
        if session.update and varying:
            raise BlockFailure(
                f"{where}\nnot recorded: its output differs between two runs of the page "
                "(elide the part that changes with [..], or a whole line with ...):\n"
                + "\n".join(varying),
                FailureClass.OUTPUT,
                number,
            )
        if session.update and block.recordable:
            session.edits.append(Edit.for_command(block, command, comparison.rewrite))
            result.changes += comparison.recorded(command.expected)
            result.recorded = True
            continue
        result.changes += comparison.changes
        hint = "" if block.recordable else " (included from snippets/: edit it there)"
        raise BlockFailure.judged(
            f"{where}\noutput differs from the page{hint}; run with --update-examples "
            f"to record it{versions_only(command.expected, actual)}\n{comparison.diff}",
            outcome.output, status=outcome.status, status_wrong=False, expected=expected,
            command=number,
        )  # fmt: skip
