"""Parse a transcript: `$ ` starts a command, `> ` continues it, other lines are its output.
A PowerShell session uses `PS> ` and `>> ` the same way."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Command:
    offset: int  # 0-based body line of the `$ ` line
    text: str  # the command as bash reads it (continuations joined with newlines)
    expected: list[str] = field(default_factory=list)

    @property
    def output_offset(self) -> int:
        """0-based body line where the expected output starts."""
        return self.offset + 1 + self.text.count("\n")


class TranscriptError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Prompts:
    command: str
    continuation: str


SHELL = Prompts("$ ", "> ")
POWERSHELL = Prompts("PS> ", ">> ")


def parse(body: str, prompts: Prompts = SHELL) -> list[Command]:
    commands: list[Command] = []
    in_command = False  # the previous line was a command or one of its continuations
    lines = body.splitlines()
    start, more = prompts.command, prompts.continuation
    for offset, line in enumerate(lines):
        if in_command and (line.startswith(more) or line == more.rstrip()):
            commands[-1].text += "\n" + line[len(more) :]
        elif in_command and commands[-1].text.endswith(("\\", "`")):
            # A trailing backslash (or PowerShell's backtick) continues on an unprefixed line.
            commands[-1].text += "\n" + line
        elif line.startswith(start) or line == start.rstrip():
            if not line[len(start) :].strip():
                raise TranscriptError(offset, f"empty command after {start.strip()!r}")
            commands.append(Command(offset=offset, text=line[len(start) :]))
        elif commands:
            commands[-1].expected.append(line)
            in_command = False
            continue
        elif line.strip():
            raise TranscriptError(offset, f"a transcript must start with a {start!r} command")
        else:
            continue
        in_command = True
    if commands and in_command and commands[-1].text.endswith("\\"):
        raise TranscriptError(len(lines) - 1, "command ends with '\\' but nothing follows")
    # Blank lines between commands are layout, not output.
    for command in commands:
        while command.expected and not command.expected[-1].strip():
            command.expected.pop()
    return commands
