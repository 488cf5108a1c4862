"""Turn an examples report made with another uv into a drift report.

    python -m uvguide.drift build/drift-0.12.24-examples.json --out build

writes `drift-<version>.json` and `.md` (what broke, where, and why, by class), and the per-page
summary `docs/data/compat/<version>.json` that the compatibility page renders. Environment errors
(network, DNS, proxy, TLS, disk) are listed apart and never count as drift. Exit status 1 when
there is drift, so a scheduled job fails visibly.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import report
from .files import write_atomically
from .results import BlockResult, FailureClass, Outcome
from .settings import load

DRIFT_CLASSES = [failure for failure in FailureClass if failure.is_drift]


@dataclass(frozen=True)
class Entry:
    page: str
    line: int
    failure: FailureClass
    command: str  # the command at fault, as the page gives it ("" when the block has none)
    command_line: int | None
    detail: str

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
            detail=result.message,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page, "line": self.line, "class": self.failure.value,
            "command": self.command, "command_line": self.command_line, "detail": self.detail,
        }  # fmt: skip


def build(data: report.Report) -> dict[str, Any]:
    broken = [r for r in data.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    entries = [Entry.of(r) for r in broken]
    drift = [e for e in entries if e.failure.is_drift]
    other = [e for e in entries if not e.failure.is_drift]
    pages: dict[str, dict[str, int]] = {}
    for result in data.results:
        page = pages.setdefault(result.page, {"blocks": 0, "drift": 0, "environment": 0})
        page["blocks"] += 1
    for item in drift:
        pages[item.page]["drift"] += 1
    for item in other:
        pages[item.page]["environment"] += 1
    return {
        "uv_version": data.run.uv_version,
        "counts": dict(Counter(e.failure.value for e in entries)),
        "drift": [e.to_json() for e in drift],
        "environment": [e.to_json() for e in other],
        "pages": pages,
    }


def markdown(data: dict[str, Any]) -> str:
    version = data["uv_version"]
    lines = [f"# Drift report: the guide against uv {version}", ""]
    counts = ", ".join(f"{name}: {data['counts'].get(name, 0)}" for name in DRIFT_CLASSES)
    lines.append(
        f"{len(data['drift'])} drift entries ({counts}); {len(data['environment'])} environment "
        "errors, which are not drift."
    )
    for title, items in (("Drift", data["drift"]), ("Environment errors", data["environment"])):
        if not items:
            continue
        lines += ["", f"## {title}", ""]
        for item in items:
            where = item["command_line"] or item["line"]
            lines += [
                f"### {item['page']}:{where} ({item['class']})",
                "",
                f"`{item['command']}`" if item["command"] else "",
                "",
                "```text",
                item["detail"].strip(),
                "```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    settings = load()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=settings.build)
    parser.add_argument("--compat-dir", type=Path, default=settings.docs / "data" / "compat")
    args = parser.parse_args(argv)
    data = build(report.read(args.report))
    version = data["uv_version"]
    write_atomically(args.out / f"drift-{version}.json", json.dumps(data, indent=1) + "\n")
    write_atomically(args.out / f"drift-{version}.md", markdown(data))
    summary = {"uv_version": version, "pages": data["pages"]}
    write_atomically(args.compat_dir / f"{version}.json", json.dumps(summary, indent=1) + "\n")
    print(
        f"uv {version}: {len(data['drift'])} drift entries "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(data['counts'].items())) or 'none'}), "
        f"{len(data['environment'])} environment errors (not drift); "
        f"report: {args.out / f'drift-{version}.md'}"
    )
    return 1 if data["drift"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
