"""What a page is made of, as the lexer finds it: blocks, their kinds and modes, and problems.

Everything else in the harness works on these values; nothing re-reads the Markdown.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    CONSOLE = "console"  # a transcript: `$ ` commands followed by their expected output
    POWERSHELL = "powershell"  # a PowerShell transcript (`PS> ` prompts), for Windows readers
    SCRIPT = "script"  # bash/sh, run as one script
    PYTHON = "python"
    FILE = "file"  # titled or included content, written into the sandbox
    DISPLAY = "display"  # shown to the reader only (output, a diff, a tree)


class Platform(StrEnum):
    LINUX = "linux"
    MACOS = "macos"
    WINDOWS = "windows"

    @property
    def label(self) -> str:
        """As a reader writes it."""
        return {"linux": "Linux", "macos": "macOS", "windows": "Windows"}[self.value]


def current_platform() -> Platform:
    return {"darwin": Platform.MACOS, "win32": Platform.WINDOWS}.get(sys.platform, Platform.LINUX)


class MutantKind(StrEnum):
    """The ways mutation testing changes a page (`uvguide.mutation`)."""

    FLAG = "flag"  # an unknown flag on a uv command
    SPECIFIER = "specifier"  # a package's version specifier moved
    OUTPUT = "output"  # an expected output line changed
    STATUS = "status"  # an expected failure's status changed, or the failure expected no more
    FILE = "file"  # a line of a file block (or its snippet) removed


class Mode(StrEnum):
    RUN = "run"
    NO_RUN = "no-run"
    SKIP = "skip"
    EXPECT_FAIL = "expect-fail"
    HIDDEN = "hidden"


LANGUAGES: dict[str, Kind] = {
    "console": Kind.CONSOLE,
    "pwsh-session": Kind.POWERSHELL,
    "bash": Kind.SCRIPT,
    "sh": Kind.SCRIPT,
    "shell": Kind.SCRIPT,
    "python": Kind.PYTHON,
    "py": Kind.PYTHON,
    **{
        lang: Kind.DISPLAY
        for lang in (
            "text", "txt", "toml", "yaml", "yml", "json", "ini", "cfg", "dockerfile",
            "diff", "markdown", "md", "html", "requirements", "pip-requirements", "dotenv",
        )
    },
}  # fmt: skip

# Modes each kind accepts; anything else is an error on the page, not a silent ignore.
ALLOWED_MODES: dict[Kind, frozenset[Mode]] = {
    Kind.CONSOLE: frozenset(Mode),
    Kind.POWERSHELL: frozenset(Mode),
    Kind.SCRIPT: frozenset(Mode),
    Kind.PYTHON: frozenset(Mode),
    Kind.FILE: frozenset({Mode.RUN, Mode.SKIP, Mode.HIDDEN}),
    Kind.DISPLAY: frozenset({Mode.RUN}),
}


@dataclass(frozen=True)
class PageOptions:
    """What a page says about itself (`<!-- test-page: network=direct reason="..." -->`)."""

    direct_network: bool = False  # it shows network behaviour: no package cache in between
    reason: str = ""


@dataclass(frozen=True)
class Problem:
    """Something on a page the harness refuses; `line` is 1-based."""

    page: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


@dataclass
class Block:
    page: Path  # as given to the lexer (project-relative for docs/)
    line: int  # 1-based line of the opening fence
    language: str
    kind: Kind
    mode: Mode
    body: str  # after snippet includes and page variables
    indent: int  # columns of indentation of the fence (content tabs, admonitions)
    start: int  # character offsets of the whole block, annotation included, in the page
    end: int
    reason: str = ""
    status: int | None = None  # expected exit status for expect-fail; None means any non-zero
    timeout: float | None = None
    title: str | None = None  # the sandbox path a file block is written to
    includes: list[Path] = field(default_factory=list)
    service: bool = False  # what it leaves running serves the rest of the page
    needs: tuple[str, ...] = ()  # hosts it must reach (beyond the package index)
    platforms: frozenset[Platform] = frozenset()  # where it holds; empty: everywhere
    # Mutants that cannot change what the block does, with the reason (counted apart).
    equivalent: dict[MutantKind, str] = field(default_factory=dict)

    @property
    def body_line(self) -> int:
        """1-based page line of the first body line."""
        return self.line + 1

    @property
    def recordable(self) -> bool:
        # Included text lives in snippets/: rewriting the page would not update it.
        return not self.includes


def page_digest(text: str, blocks: Iterable[Block]) -> str:
    """What a page runs, as one hash: its text and every block's body after includes and
    variables, so an edited snippet or a new pin changes it as an edited page does."""
    digest = hashlib.sha256(text.encode())
    for block in blocks:
        digest.update(b"\0" + block.body.encode())
    return digest.hexdigest()


class LineTable:
    """A text as lines, with the character offset at which each line starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: int) -> str:
        """Line `index` (0-based) without its line ending."""
        return self.lines[index].rstrip("\r\n")

    def start(self, line: int) -> int:
        """Character offset of 1-based `line`."""
        return self.offsets[line - 1]
