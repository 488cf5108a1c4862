"""How much a command asserts, beyond succeeding.

- A command whose expected output is empty, or all elided, asserts only its exit status: a page
  would not notice if it did nothing. The report counts them.
- A uv flag written after the target of `uv run` or `uvx` is not uv's: uv hands it to the
  program it runs. `uv run script.py --with rich` runs the script with an argument, not with
  rich. The report names each one.

Which flags are uv's comes from the pinned uv's own `--help`, so the list never goes stale.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .matcher import ANY_LINES, ANY_TEXT

# Flags nearly every program takes for itself: after a target they are meant for it.
PROGRAM_FLAGS = {"--help", "-h", "--version", "-V"}
HELP_OPTION = re.compile(r"^\s+(?:-\w, )?(?P<flag>--[\w-]+)(?P<value>[ =]<[^>]+>)?", re.MULTILINE)


def asserts_output(expected: list[str]) -> bool:
    """Whether any expected line says something beyond an elision."""
    return any(line.strip() not in ("", ANY_LINES, ANY_TEXT) for line in expected)


@dataclass(frozen=True)
class Options:
    """The flags a uv subcommand accepts, and those of them that take a value."""

    flags: frozenset[str]
    with_value: frozenset[str]


@cache
def options(uv: Path, *subcommand: str) -> Options:
    """What `uv <subcommand> --help` lists (one process per subcommand and run)."""
    help_text = subprocess.run(
        [str(uv), *subcommand, "--help"], capture_output=True, text=True, check=False
    ).stdout
    found = list(HELP_OPTION.finditer(help_text))
    return Options(
        flags=frozenset(m["flag"] for m in found),
        with_value=frozenset(m["flag"] for m in found if m["value"]),
    )


def misplaced_flags(argv: list[str], uv: Path) -> list[str]:
    """uv's own flags that this invocation puts after the target of `uv run`/`uvx`."""
    if argv[0] == "uvx":
        subcommand, rest = ("tool", "run"), argv[1:]
    elif argv[1:2] == ["run"]:
        subcommand, rest = ("run",), argv[2:]
    elif argv[1:3] == ["tool", "run"]:
        subcommand, rest = ("tool", "run"), argv[3:]
    else:
        return []
    known = options(uv, *subcommand)
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            index += 1
            break
        if not word.startswith("-"):
            break
        if word in known.with_value:
            index += 1  # its value
        index += 1
    after_target = rest[index + 1 :]
    return [
        word
        for word in after_target
        if (flag := word.split("=", 1)[0]) in known.flags and flag not in PROGRAM_FLAGS
    ]
