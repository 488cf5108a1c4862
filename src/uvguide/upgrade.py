"""Move the guide to another uv: one command, then a review.

`nox -s upgrade -- X.Y.Z` (or `latest`) runs, in order:

1. `python -m uvguide.upgrade prepare X.Y.Z`: the pin in `pyproject.toml` and every sample file
   that names the version (`pins.py`) move to X.Y.Z;
2. `uv lock`, and the new uv installed from the lock;
3. the guide in record mode, then again without recording;
4. `python -m uvguide.upgrade report X.Y.Z RECORD PLAIN`: `build/upgrade-X.Y.Z.md`, with what was
   recorded (grouped by cause) and what needs a person (a flag uv no longer parses, an exit
   status that changed, an output record mode may not write, prose that quotes a value the
   output no longer shows), each with its page and line. It exits 0 only when the plain run
   is green.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from . import pins, report
from .drift import Entry, groups
from .files import write_atomically
from .results import BlockResult, Outcome
from .settings import load

PYPI = "https://pypi.org/pypi/uv/json"
# Values a sentence may quote from an output: sizes, versions, counts (timings change every
# run and pages do not quote them).
VALUE = re.compile(r"\b\d+(?:\.\d+)*(?:\s?(?:[KMG]i?B|B|%)\b)?(?!\.?\d|m?s\b)")
PROSE_WINDOW = 6  # lines of prose above and below a block that may quote it


def latest() -> str:
    with urllib.request.urlopen(PYPI, timeout=30) as answer:
        version: str = json.load(answer)["info"]["version"]
        return version


def prepare(root: Path, wanted: str) -> tuple[str, list[Path]]:
    """Move the pin and the samples; returns the version and the files changed."""
    version = latest() if wanted == "latest" else wanted
    pyproject = root / "pyproject.toml"
    old = load(root).uv_version
    changed = []
    text = pyproject.read_text(encoding="utf-8")
    if (updated := pins.set_pin(text, version)) != text:
        write_atomically(pyproject, updated)
        changed.append(pyproject)
    for path in pins.sample_files(root):
        text = path.read_text(encoding="utf-8")
        if (updated := pins.bump(text, old, version)) != text:
            write_atomically(path, updated)
            changed.append(path)
    return version, changed


@dataclass(frozen=True)
class ProseQuote:
    page: str
    line: int
    value: str
    block_line: int


def quoted_values(page_text: str, block_line: int, removed: set[str]) -> list[tuple[int, str]]:
    """(line, value) of prose near the block at block_line that quotes one of `removed`."""
    lines = page_text.splitlines()
    end = block_line
    fence = lines[block_line - 1].strip()[:3] if 0 < block_line <= len(lines) else "```"
    while end < len(lines) and not lines[end].strip().startswith(fence):
        end += 1
    window = [*range(max(block_line - 1 - PROSE_WINDOW, 0), block_line - 1),
              *range(end + 1, min(end + 1 + PROSE_WINDOW, len(lines)))]  # fmt: skip
    found = []
    for index in window:
        text = lines[index]
        if text.lstrip().startswith(("$", "```", "<!--")):
            continue
        found += [
            (index + 1, value) for value in removed if re.search(rf"\b{re.escape(value)}", text)
        ]
    return found


def removed_values(changes: list[str]) -> set[str]:
    removed = {m[0] for line in changes if line.startswith("-") for m in VALUE.finditer(line[1:])}
    added = {m[0] for line in changes if line.startswith("+") for m in VALUE.finditer(line[1:])}
    return {value for value in removed - added if not value.isdigit() or len(value) > 1}


def prose_quotes(
    recorded: list[BlockResult], plain: list[BlockResult], root: Path
) -> list[ProseQuote]:
    """Prose beside a recorded block that still quotes a value its output no longer shows."""
    now_at = _lines_after_recording(recorded, plain)
    quotes = []
    for result in recorded:
        removed = removed_values(result.changes)
        page = root / result.page
        if not removed or not page.is_file():
            continue
        line = now_at.get((result.page, result.line), result.line)
        text = page.read_text(encoding="utf-8")
        quotes += [
            ProseQuote(result.page, at, value, line)
            for at, value in quoted_values(text, line, removed)
        ]
    return quotes


def _lines_after_recording(
    recorded: list[BlockResult], plain: list[BlockResult]
) -> dict[tuple[str, int], int]:
    """Recording moves blocks down a page; the plain run saw them where they are now. Blocks
    keep their order, so the n-th block of a page in one run is the n-th in the other."""

    def by_page(results: list[BlockResult]) -> dict[str, list[int]]:
        pages: dict[str, list[int]] = defaultdict(list)
        for result in results:
            pages[result.page].append(result.line)
        return {page: sorted(lines) for page, lines in pages.items()}

    before, after = by_page(recorded), by_page(plain)
    return {
        (page, old): new
        for page, lines in before.items()
        if len(lines) == len(after.get(page, []))
        for old, new in zip(lines, after[page], strict=True)
    }


def markdown(version: str, record_run: report.Report, plain_run: report.Report, root: Path) -> str:
    recorded = [r for r in record_run.results if r.recorded]
    broken = [r for r in plain_run.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    quotes = prose_quotes(record_run.results, plain_run.results, root)
    green = not broken
    lines = [
        f"# Upgrade to uv {version}",
        "",
        f"- Record run: {len(recorded)} blocks recorded on "
        f"{len({r.page for r in recorded})} pages ({record_run.run.wall_s:.0f} s).",
        f"- Plain rerun: {'green' if green else f'{len(broken)} blocks still fail'} "
        f"({plain_run.run.wall_s:.0f} s).",
        f"- Prose to reread: {len(quotes)} sentences quote a value their output no longer shows.",
        "",
        "## Needs a person",
        "",
    ]
    if not broken and not quotes:
        lines.append("Nothing: review the recorded changes below, then commit.")
    for group in groups([Entry.of(r) for r in broken]):
        lines += _group(group.failure.value, group.changes, group.entries)
    for quote in quotes:
        lines.append(
            f"- {quote.page}:{quote.line}: the prose quotes `{quote.value}`, which the output "
            f"of the block at line {quote.block_line} no longer shows"
        )
    lines += ["", "## Recorded (review the diff)", ""]
    if not recorded:
        lines.append("Nothing changed in any output.")
    for group in groups([Entry.of(r) for r in recorded]):
        lines += _group("recorded", group.changes, group.entries)
    return "\n".join(lines).rstrip() + "\n"


def _group(label: str, changes: tuple[str, ...], entries: list[Entry]) -> list[str]:
    return [
        f"### {label}: {len(entries)} {'block' if len(entries) == 1 else 'blocks'}",
        "",
        "```text",
        *(changes or ("(no output)",)),
        "```",
        "",
        *(f"- {e.where} `{e.command}`" if e.command else f"- {e.where}" for e in entries),
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("prepare", help="move the pin and the samples")
    step.add_argument("version", help="X.Y.Z, or latest")
    step = steps.add_parser("report", help="write build/upgrade-X.Y.Z.md")
    step.add_argument("version")
    step.add_argument("record", type=Path)
    step.add_argument("plain", type=Path)
    args = parser.parse_args(argv)
    settings = load()
    if args.step == "prepare":
        version, changed = prepare(settings.root, args.version)
        for path in changed:
            print(f"moved to uv {version}: {path.relative_to(settings.root)}", file=sys.stderr)
        print(version)
        return 0
    plain = report.read(args.plain)
    text = markdown(args.version, report.read(args.record), plain, settings.root)
    out = settings.build / f"upgrade-{args.version}.md"
    write_atomically(out, text)
    print(text)
    print(f"report: {out}")
    return 1 if any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in plain.results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
