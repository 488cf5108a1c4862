"""The examples report: one result per block of every page run, written as JSON for CI,
reviewers and the drift report, and the one-line summary printed at the end of a run."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .files import write_atomically
from .results import BlockResult, Mode, Outcome


@dataclass(frozen=True)
class RunInfo:
    """Which run a report belongs to, so a stale report can never pass for the current one."""

    id: str
    started_at: str  # ISO 8601, UTC
    finished_at: str | None
    # running (written as the run starts; a report still saying so is partial: the run was
    # killed before it could finish), complete, or interrupted (Ctrl-C, SIGTERM).
    status: str
    uv_version: str
    uv_path: str
    isolation: str  # namespaces | environment-only
    platform: str  # whose blocks ran
    limits: dict[str, float]
    workers: int
    wall_s: float
    cpus: int | None = None  # the machine's cores (absent from older reports)


def summary(results: Iterable[BlockResult]) -> str:
    results = list(results)
    outcomes = Counter(result.outcome for result in results)
    display = outcomes[Outcome.DISPLAY]
    expected_failures = sum(
        1 for r in results if r.mode is Mode.EXPECT_FAIL and r.outcome is Outcome.PASSED
    )
    run_uv = sum(r.uv_commands_run for r in results)
    all_uv = sum(r.uv_commands for r in results)
    share = f"{100 * run_uv / all_uv:.0f}%" if all_uv else "n/a"
    transcript = [c for r in results for c in r.commands if c.asserts_output is not None]
    weak = sum(1 for c in transcript if not c.asserts_output)
    return (
        f"examples: {len(results) - display} blocks: {outcomes[Outcome.PASSED]} passed "
        f"({expected_failures} expected failures), {outcomes[Outcome.CHECKED]} checked, "
        f"{outcomes[Outcome.SKIPPED]} skipped, {outcomes[Outcome.FAILED]} failed, "
        f"{outcomes[Outcome.ERROR]} errors; {display} display-only; "
        f"uv command lines executed: {run_uv}/{all_uv} ({share}); "
        f"transcript commands asserting only their exit status: {weak}/{len(transcript)}"
    )


def write(
    path: Path, run: RunInfo, results: Iterable[BlockResult], digests: dict[str, str]
) -> None:
    ordered = sorted(results, key=lambda r: (r.page, r.line))
    data = {
        "run": asdict(run),
        # Kept at the top level for readers of earlier reports.
        "uv_version": run.uv_version,
        "isolation": run.isolation,
        "wall_s": run.wall_s,
        "workers": run.workers,
        "summary": summary(ordered),
        # Each page collected, with blocks.page_digest of what it ran.
        "pages": dict(sorted(digests.items())),
        "blocks": [result.to_json() for result in ordered],
    }
    write_atomically(path, json.dumps(data, indent=1) + "\n")


@dataclass(frozen=True)
class Report:
    run: RunInfo
    results: list[BlockResult]
    digests: dict[str, str]  # page: blocks.page_digest, for the pages the run collected

    @property
    def command_cpu_s(self) -> float:
        """The CPU the pages' commands used; 0 in a report older than the figure."""
        return sum(result.command_cpu_s for result in self.results)


def read(path: Path) -> Report:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return Report(
        run=RunInfo(**data["run"]),
        results=[BlockResult.from_json(block) for block in data["blocks"]],
        digests=data.get("pages", {}),
    )
