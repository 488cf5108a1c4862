"""Record mode: write the output uv really printed back into the page, in place.

Only the expected-output lines of a transcript change; commands, prose and annotations are
never touched. Lines that still match keep their original text (elisions, page variables), new
lines show the pinned uv version as `{{ uv_version }}` so the pin stays in one place. The page is
replaced atomically, and not at all if it changed since it was read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .model import Block
from .transcript import Command


@dataclass(frozen=True)
class Edit:
    start: int  # 0-based page line of the first expected-output line
    old_count: int
    lines: tuple[int | str, ...]  # see matcher.Comparison.recorded
    indent: int

    @classmethod
    def for_command(cls, block: Block, command: Command, recorded: list[int | str]) -> Edit:
        return cls(
            start=block.body_line - 1 + command.output_offset,
            old_count=len(command.expected),
            lines=tuple(recorded),
            indent=block.indent,
        )


class StalePage(Exception):
    """The page changed on disk while it was being run."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply(page: Path, expected_digest: str, edits: list[Edit], variables: dict[str, str]) -> bool:
    """Rewrite page with edits; False when nothing changed."""
    text = page.read_text(encoding="utf-8")
    if digest(text) != expected_digest:
        raise StalePage(f"{page} changed while its examples ran; not recording into it")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    version = variables["uv_version"]
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        old = lines[edit.start : edit.start + edit.old_count]
        new = [
            old[item] if isinstance(item, int)
            else " " * edit.indent + item.replace(version, "{{ uv_version }}") + newline
            for item in edit.lines
        ]  # fmt: skip
        lines[edit.start : edit.start + edit.old_count] = new
    updated = "".join(lines)
    if updated == text:
        return False
    handle, temporary = tempfile.mkstemp(dir=page.parent, prefix=f".{page.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(updated)
        os.chmod(temporary, page.stat().st_mode & 0o777)
        os.replace(temporary, page)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
