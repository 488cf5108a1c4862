"""Record mode: write the output uv really printed back into the page, in place.

Only the expected-output lines of a transcript change; commands, prose and annotations are
never touched. Lines that still match keep their original text (elisions, page variables), new
lines show the pinned uv version as `{{ uv_version }}` so the pin stays in one place. The page is
replaced atomically, and not at all if it changed since it was read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .blocks import Block
from .files import write_atomically
from .transcript import Command


@dataclass(frozen=True)
class Edit:
    start: int  # 0-based page line of the first expected-output line
    old_count: int
    lines: tuple[int | str, ...]  # see matcher.Comparison.rewrite
    indent: int

    @classmethod
    def for_command(cls, block: Block, command: Command, rewrite: list[int | str]) -> Edit:
        return cls(
            start=block.body_line - 1 + command.output_offset,
            old_count=len(command.expected),
            lines=tuple(rewrite),
            indent=block.indent,
        )


class StalePage(Exception):
    """The page changed on disk while it was being run."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rewrite(text: str, edits: list[Edit], uv_version: str) -> str:
    """The page text with edits applied; the pinned version is written as the page variable."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        old = lines[edit.start : edit.start + edit.old_count]
        new = [
            old[item] if isinstance(item, int)
            else " " * edit.indent + item.replace(uv_version, "{{ uv_version }}") + newline
            for item in edit.lines
        ]  # fmt: skip
        lines[edit.start : edit.start + edit.old_count] = new
    return "".join(lines)


def apply(page: Path, expected_digest: str, edits: list[Edit], uv_version: str) -> bool:
    """Rewrite page with edits; False when nothing changed."""
    text = page.read_text(encoding="utf-8")
    if digest(text) != expected_digest:
        raise StalePage(f"{page} changed while its examples ran; not recording into it")
    updated = rewrite(text, edits, uv_version)
    if updated == text:
        return False
    write_atomically(page, updated, keep_mode_of=page)
    return True
