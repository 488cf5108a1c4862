"""What happened to each block: typed results that the report, the drift report and the terminal
summary are all written from. Nothing downstream parses a message back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .blocks import Block, Kind, Mode


class Outcome(StrEnum):
    PASSED = "passed"  # ran, and did what the page says
    FAILED = "failed"  # ran, and did not: the page and uv disagree
    ERROR = "error"  # could not be judged: a malformed page, a hang, the environment
    CHECKED = "checked"  # not run on purpose; its syntax and uv arguments were checked
    SKIPPED = "skipped"  # not run on purpose, nothing checked
    DISPLAY = "display"  # shown to the reader only; there is nothing to run


class FailureClass(StrEnum):
    MALFORMED = "malformed"  # the page itself: annotation, fence, transcript, snippet
    TIMEOUT = "timeout"  # a command ran past its time and was killed
    ENVIRONMENT = "environment"  # network, DNS, proxy, TLS, disk: not the docs' fault
    USAGE = "usage"  # uv no longer parses a flag or subcommand the page uses
    EXIT_STATUS = "exit-status"  # a command's exit status is not the one the page says
    OUTPUT = "output"  # a command printed something else than the page shows
    LIMIT = "limit"  # the page went over a bound of its sandbox: memory, or its time budget
    CRASH = "crash"  # the page's session died (or its worker did), so the block was not judged

    @property
    def is_drift(self) -> bool:
        """Whether this class says something about uv and the docs (not the page or machine)."""
        return self in (FailureClass.USAGE, FailureClass.EXIT_STATUS, FailureClass.OUTPUT)


@dataclass(frozen=True)
class CommandRun:
    """One command of a block: a `$ ` line of a transcript, or a whole script."""

    line: int  # 1-based page line where the command starts
    text: str
    # Lines of the command that call uv or uvx: 0 or 1 for a transcript command (continuation
    # lines included), one per calling line for a script. The report's unit of "uv commands".
    uv_lines: int
    # Whether its expected output says anything (a transcript command); None for a script.
    asserts_output: bool | None = None
    executed: bool = False
    status: int | None = None  # exit status, when executed
    duration_s: float = 0.0
    cpu_s: float = 0.0  # user and system CPU of its processes, when executed


@dataclass
class BlockResult:
    page: str
    line: int
    language: str
    kind: str  # a Kind, or "page" for a problem that belongs to no block
    mode: Mode
    outcome: Outcome
    failure: FailureClass | None = None
    reason: str = ""  # why a block is not run, as the page gives it
    message: str = ""  # what went wrong, for a person
    commands: list[CommandRun] = field(default_factory=list)
    failed_command: int | None = None  # index into commands of the one that went wrong
    duration_s: float = 0.0
    command_time_s: float = 0.0  # spent inside the block's own processes
    command_cpu_s: float = 0.0  # the CPU those processes used
    recorded: bool = False  # record mode wrote new output for it into the page
    file: str | None = None  # the sandbox path a file block wrote
    notes: list[str] = field(default_factory=list)  # worth knowing, not failures
    # What differs, as data: the expected and actual lines that changed ("-..." and "+..."),
    # the first line uv's argument parser printed, or the exit statuses.
    changes: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)  # where it holds; empty: everywhere
    needs: list[str] = field(default_factory=list)  # hosts it must reach

    @classmethod
    def for_block(cls, block: Block, outcome: Outcome, **fields: Any) -> BlockResult:
        return cls(
            page=block.page.as_posix(),
            line=block.line,
            language=block.language,
            kind=block.kind.value,
            mode=block.mode,
            outcome=outcome,
            reason=block.reason,
            platforms=sorted(p.value for p in block.platforms),
            needs=list(block.needs),
            **fields,
        )

    @property
    def uv_commands(self) -> int:
        return sum(command.uv_lines for command in self.commands)

    @property
    def uv_commands_run(self) -> int:
        return sum(command.uv_lines for command in self.commands if command.executed)

    @property
    def exit_status_only(self) -> int:
        """Transcript commands that assert nothing beyond their exit status."""
        return sum(1 for command in self.commands if command.asserts_output is False)

    @property
    def failing_command(self) -> CommandRun | None:
        return None if self.failed_command is None else self.commands[self.failed_command]

    @property
    def overhead_s(self) -> float:
        return max(self.duration_s - self.command_time_s, 0.0)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["failure"]
        for command in data["commands"]:
            command["duration_s"] = round(command["duration_s"], 4)
            command["cpu_s"] = round(command["cpu_s"], 3)
        # Plain strings, not enums: xdist's wire format and JSON both want them.
        data.update(
            mode=self.mode.value,
            outcome=self.outcome.value,
            failure_class=self.failure.value if self.failure else None,
            uv_commands=self.uv_commands,
            uv_commands_run=self.uv_commands_run,
            exit_status_only=self.exit_status_only,
            overhead_s=round(self.overhead_s, 4),
            duration_s=round(self.duration_s, 4),
            command_time_s=round(self.command_time_s, 4),
            command_cpu_s=round(self.command_cpu_s, 3),
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BlockResult:
        data = dict(data)
        failure = data.pop("failure_class")
        for derived in ("uv_commands", "uv_commands_run", "exit_status_only", "overhead_s"):
            data.pop(derived, None)
        return cls(
            **{
                **data,
                "mode": Mode(data["mode"]),
                "outcome": Outcome(data["outcome"]),
                "failure": None if failure is None else FailureClass(failure),
                "commands": [CommandRun(**command) for command in data["commands"]],
            }
        )


def display_result(block: Block) -> BlockResult:
    assert block.kind is Kind.DISPLAY
    return BlockResult.for_block(block, Outcome.DISPLAY)
