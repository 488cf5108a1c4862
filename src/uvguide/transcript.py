"""Parse a console block: `$ ` starts a command, `> ` continues it, other lines are its output."""

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


def parse(body: str) -> list[Command]:
    commands: list[Command] = []
    in_command = False  # the previous line was a command or one of its continuations
    lines = body.splitlines()
    for offset, line in enumerate(lines):
        if in_command and (line.startswith("> ") or line == ">"):
            commands[-1].text += "\n" + line[2:]
        elif in_command and commands[-1].text.endswith("\\"):
            # A trailing backslash continues on an unprefixed line, as in a terminal.
            commands[-1].text += "\n" + line
        elif line.startswith("$ ") or line == "$":
            if not line[2:].strip():
                raise TranscriptError(offset, "empty command after '$'")
            commands.append(Command(offset=offset, text=line[2:]))
        elif commands:
            commands[-1].expected.append(line)
            in_command = False
            continue
        elif line.strip():
            raise TranscriptError(offset, "a console block must start with a '$ ' command")
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
