"""Evaluate one block in its page's sandbox, by kind and mode, and say what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import no_run, python_blocks, transcript
from .classify import Failure, classify, environment_cause
from .matcher import compare
from .model import Block, Kind, Mode
from .record import Edit
from .sandbox import Result, Sandbox
from .settings import Settings


class BlockFailure(AssertionError):
    """The block did not do what the page says; `failure` tells whose fault that is."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure

    @classmethod
    def of(
        cls, message: str, output: str, *, status_wrong: bool, expected: str = ""
    ) -> BlockFailure:
        failure = classify(output, status_wrong=status_wrong, expected=expected)
        if failure is Failure.ENVIRONMENT:
            message = f"environment, not the docs: {environment_cause(output)}\n{message}"
        return cls(message, failure)


class BlockError(Exception):
    """The block could not be judged: a malformed page, or a command that hung."""


class BlockSkipped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Outcome:
    outcome: str  # passed | failed | skipped | checked | error
    message: str = ""
    command_time_s: float = 0.0  # time spent inside the block's own processes
    recorded: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class PageSession:
    """One page's run: its sandbox, plus the edits record mode will write back."""

    def __init__(self, sandbox: Sandbox, settings: Settings, *, update: bool) -> None:
        self.sandbox = sandbox
        self.settings = settings
        self.update = update
        self.edits: list[Edit] = []
        self.environment_broken: int | None = None  # line of the page's first environment failure
        self.print_runner = sandbox.state / "print_runner.py"
        self.print_runner.write_text(python_blocks.RUNNER, encoding="utf-8")

    def evaluate(self, block: Block) -> Outcome:
        if block.mode is Mode.SKIP:
            raise BlockSkipped(block.reason)
        handler = {
            Kind.CONSOLE: self._console,
            Kind.SCRIPT: self._script,
            Kind.PYTHON: self._python,
            Kind.FILE: self._file,
        }[block.kind]
        try:
            return handler(block)
        except BlockFailure as failure:
            raise self._after_environment(block, failure) from None

    def _after_environment(self, block: Block, failure: BlockFailure) -> BlockFailure:
        """A page is one session: once the environment broke it (a download that could not
        happen), later failures on the page are consequences, not evidence about the docs."""
        if failure.failure is Failure.ENVIRONMENT:
            self.environment_broken = self.environment_broken or block.line
            return failure
        if self.environment_broken is None:
            return failure
        return BlockFailure(
            f"environment, not the docs: follows the environment failure at line "
            f"{self.environment_broken} of this page\n{failure}",
            Failure.ENVIRONMENT,
        )

    def _timeout(self, block: Block) -> float:
        return block.timeout or self.settings.block_timeout

    def _run(self, block: Block, script: str, *, strict: bool) -> Result:
        result = self.sandbox.run(script, timeout=self._timeout(block), strict=strict)
        if result.timed_out:
            raise BlockError(
                f"timed out after {self._timeout(block):g}s and was killed "
                f"(raise it with timeout=N on the block's annotation)\n"
                f"output so far:\n{self.sandbox.redact(result.output)}"
            )
        return result

    def _status_problem(self, block: Block, status: int, last: bool) -> str | None:
        """Why this exit status is wrong, or None."""
        if block.mode is Mode.EXPECT_FAIL and last:
            if status == 0:
                return "expected to fail (expect-fail), but it succeeded"
            if block.status is not None and status != block.status:
                return f"expected exit status {block.status}, got {status}"
            return None
        return f"exit status {status}" if status else None

    def _check_status(self, block: Block, result: Result) -> None:
        if problem := self._status_problem(block, result.status, last=True):
            output = self.sandbox.redact(result.output)
            raise BlockFailure.of(f"{problem}; output:\n{output}", output, status_wrong=True)

    # -- console ----------------------------------------------------------------------------

    def _console(self, block: Block) -> Outcome:
        try:
            commands = transcript.parse(block.body)
        except transcript.TranscriptError as error:
            raise BlockError(f"line {block.body_line + error.offset}: {error}") from None
        if not commands:
            raise BlockError("console block has no '$ ' command")
        if block.mode is Mode.NO_RUN:
            problems = [p for c in commands for p in no_run.check_script(self.sandbox, c.text)]
            if problems:
                raise BlockFailure("\n".join(problems), Failure.USAGE)
            return Outcome("checked", block.reason)
        spent = 0.0
        recorded = False
        for number, command in enumerate(commands):
            last = number == len(commands) - 1
            result = self._run(block, command.text, strict=False)
            spent += result.duration_s
            actual = self.sandbox.redact(result.output).splitlines()
            # A transcript cannot show trailing blank lines (they read as layout), so drop them.
            while actual and not actual[-1].strip():
                actual.pop()
            comparison = compare(command.expected, actual)
            where = f"line {block.body_line + command.offset}: $ {command.text}"
            expected = "\n".join(command.expected)
            if status_problem := self._status_problem(block, result.status, last):
                raise BlockFailure.of(
                    f"{where}\n{status_problem}; output:\n" + "\n".join(actual),
                    result.output, status_wrong=True, expected=expected,
                )  # fmt: skip
            if comparison.matched:
                continue
            if self.update and block.recordable:
                self.edits.append(Edit.for_command(block, command, comparison.recorded))
                recorded = True
                continue
            hint = "" if block.recordable else " (included from snippets/: edit it there)"
            raise BlockFailure.of(
                f"{where}\noutput differs from the page{hint}; run with --update-examples "
                f"to record it\n{comparison.diff}",
                result.output, status_wrong=False, expected=expected,
            )  # fmt: skip
        return Outcome("passed", command_time_s=spent, recorded=recorded)

    # -- bash/sh -----------------------------------------------------------------------------

    def _script(self, block: Block) -> Outcome:
        if block.mode is Mode.NO_RUN:
            if problems := no_run.check_script(self.sandbox, block.body):
                raise BlockFailure("\n".join(problems), Failure.USAGE)
            return Outcome("checked", block.reason)
        result = self._run(block, block.body, strict=True)
        self._check_status(block, result)
        return Outcome("passed", command_time_s=result.duration_s)

    # -- python ------------------------------------------------------------------------------

    def _python(self, block: Block) -> Outcome:
        if error := no_run.python_syntax(block.body):
            raise BlockFailure(f"Python syntax: {error}", Failure.USAGE)
        if block.mode is Mode.NO_RUN:
            return Outcome("checked", block.reason)
        state = self.sandbox.state
        source = state / f"block_{block.line}.py"
        source.write_text(block.body, encoding="utf-8")
        records = state / f"block_{block.line}.prints.json"
        # The page's own venv when it made one, as `python` would be for the reader.
        script = (
            'if [ -n "${VIRTUAL_ENV:-}" ]; then py=python; '
            "elif [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi; "
            f'"$py" "{self.print_runner}" "{source}" "{records}"'
        )
        result = self._run(block, script, strict=False)
        self._check_status(block, result)
        if records.exists():
            mismatches = python_blocks.check_prints(block.body, records)
            if mismatches:
                raise BlockFailure(
                    "\n".join(
                        f"`#>` output after block line {m.line} differs:\n{m.diff}"
                        for m in mismatches
                    ),
                    Failure.OUTPUT,
                )
        return Outcome("passed", command_time_s=result.duration_s)

    # -- files -------------------------------------------------------------------------------

    def _file(self, block: Block) -> Outcome:
        assert block.title is not None
        target = (self.sandbox.cwd / block.title).resolve()
        if not target.is_relative_to(self.sandbox.root):
            raise BlockFailure(f"title={block.title!r} leaves the sandbox", Failure.USAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")
        return Outcome("passed", extra={"file": block.title})
