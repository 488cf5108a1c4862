"""Turn an examples report made with another uv into a drift report.

    python -m uvguide.drift build/drift-0.12.24-examples.json [--write-compat]

writes `build/drift-<version>.json` and `.md`: what broke, where, and why. Entries with one root
cause (the same lines changed the same way on several pages) form one group, and each group says
whether record mode can fix it (output only) or it needs a person (a flag uv no longer parses,
an exit status that changed). Environment errors are listed apart and are never drift.

With `--write-compat` it also writes `docs/data/compat/<version>.json`, the data of the
compatibility page: a tracked file, so only when asked. Exit status 1 when there is drift.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import report
from .files import write_atomically
from .results import BlockResult, FailureClass, Outcome
from .settings import load

DRIFT_CLASSES = [failure for failure in FailureClass if failure.is_drift]
# What varies between occurrences of one cause: numbers, versions, quoted names, paths.
VARIABLE = re.compile(r"\d+(?:\.\d+)*|'[^']*'|\"[^\"]*\"|`[^`]*`|~?/\S+")


@dataclass(frozen=True)
class Entry:
    page: str
    line: int  # the block
    failure: FailureClass
    command: str  # the command at fault ("" when the block has none)
    command_line: int | None
    changes: tuple[str, ...]

    @classmethod
    def of(cls, result: BlockResult) -> Entry:
        command = result.failing_command
        return cls(
            page=result.page,
            line=result.line,
            # A result without a class has none to give: count it as an environment problem.
            failure=result.failure or FailureClass.ENVIRONMENT,
            command=command.text if command else "",
            command_line=command.line if command else None,
            changes=tuple(result.changes),
        )

    @property
    def where(self) -> str:
        return f"{self.page}:{self.command_line or self.line}"

    @property
    def cause(self) -> tuple[str, ...]:
        """What this entry shares with others of the same cause: its class and its changed
        lines, with the parts that vary between pages blanked out."""
        shape = sorted({VARIABLE.sub("…", line) for line in self.changes})
        return (self.failure.value, *shape)


@dataclass
class Group:
    failure: FailureClass
    changes: tuple[str, ...]  # those of its first entry, as an example
    entries: list[Entry] = field(default_factory=list)

    @property
    def recordable(self) -> bool:
        """Record mode rewrites outputs; a changed flag or exit status needs a person."""
        return self.failure is FailureClass.OUTPUT

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.failure.value,
            "recordable": self.recordable,
            "changes": list(self.changes),
            "entries": [
                {
                    "page": e.page,
                    "line": e.line,
                    "command": e.command,
                    "command_line": e.command_line,
                }
                for e in self.entries
            ],
        }


def groups(entries: list[Entry]) -> list[Group]:
    by_cause: dict[tuple[str, ...], Group] = {}
    for entry in entries:
        group = by_cause.setdefault(entry.cause, Group(entry.failure, entry.changes))
        group.entries.append(entry)
    return sorted(by_cause.values(), key=lambda g: (g.recordable, -len(g.entries)))


def page_counts(results: list[BlockResult]) -> dict[str, dict[str, int]]:
    """Per page: blocks, and how many failed in each class."""
    pages: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        if result.outcome is Outcome.DISPLAY:
            continue
        counts = pages[result.page]
        counts["blocks"] += 1
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            counts[(result.failure or FailureClass.ENVIRONMENT).value] += 1
    return {page: dict(counts) for page, counts in sorted(pages.items())}


def build(data: report.Report) -> dict[str, Any]:
    broken = [r for r in data.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    entries = [Entry.of(r) for r in broken]
    drift = [e for e in entries if e.failure.is_drift]
    return {
        "uv_version": data.run.uv_version,
        "counts": dict(Counter(e.failure.value for e in entries)),
        "groups": [g.to_json() for g in groups(drift)],
        "environment": [
            {"page": e.page, "line": e.line, "class": e.failure.value, "changes": list(e.changes)}
            for e in entries
            if not e.failure.is_drift
        ],
        "pages": page_counts(data.results),
        "failing": [
            {"page": e.page, "line": e.command_line or e.line, "class": e.failure.value,
             "command": e.command}
            for e in drift
        ],
    }  # fmt: skip


def markdown(data: dict[str, Any]) -> str:
    version = data["uv_version"]
    drift = sum(len(g["entries"]) for g in data["groups"])
    recordable = [g for g in data["groups"] if g["recordable"]]
    person = [g for g in data["groups"] if not g["recordable"]]
    counts = ", ".join(f"{name}: {data['counts'].get(name, 0)}" for name in DRIFT_CLASSES)
    lines = [
        f"# Drift report: the guide against uv {version}",
        "",
        f"{drift} drift entries ({counts}) in {len(data['groups'])} groups of one cause each; "
        f"{len(data['environment'])} environment errors, which are not drift.",
    ]
    for title, chosen in (("Needs a person", person), ("Record mode can fix", recordable)):
        if not chosen:
            continue
        lines += ["", f"## {title}", ""]
        for number, group in enumerate(chosen, 1):
            lines += [
                f"### {number}. {group['class']}: {len(group['entries'])} "
                f"{'entry' if len(group['entries']) == 1 else 'entries'}",
                "",
                "```text",
                *(group["changes"] or ["(no output)"]),
                "```",
                "",
                *(
                    f"- {e['page']}:{e['command_line'] or e['line']} `{e['command']}`"
                    for e in group["entries"]
                ),
                "",
            ]
    if data["environment"]:
        lines += ["", "## Environment errors (not drift)", ""]
        lines += [f"- {e['page']}:{e['line']} ({e['class']})" for e in data["environment"]]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    settings = load()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=settings.build)
    parser.add_argument("--write-compat", action="store_true", help="update docs/data/compat/")
    args = parser.parse_args(argv)
    data = build(report.read(args.report))
    version = data["uv_version"]
    write_atomically(args.out / f"drift-{version}.json", json.dumps(data, indent=1) + "\n")
    write_atomically(args.out / f"drift-{version}.md", markdown(data))
    if args.write_compat:
        compat = {key: data[key] for key in ("uv_version", "pages", "failing")}
        path = settings.docs / "data" / "compat" / f"{version}.json"
        write_atomically(path, json.dumps(compat, indent=1) + "\n")
    drift = sum(len(g["entries"]) for g in data["groups"])
    print(
        f"uv {version}: {drift} drift entries in {len(data['groups'])} groups "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(data['counts'].items())) or 'none'}); "
        f"report: {args.out / f'drift-{version}.md'}"
    )
    return 1 if drift else 0


if __name__ == "__main__":
    raise SystemExit(main())
