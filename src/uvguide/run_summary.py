"""A run of the guide in a few lines of Markdown, for CI's job summary: where it ran, what it
ran, and, block by block where it matters, what it did not run and why.

    python -m uvguide.run_summary [build/examples-report.json]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from . import report
from .results import Outcome
from .settings import load


def summary(data: report.Report) -> str:
    results = data.results
    outcomes = Counter(r.outcome for r in results)
    not_run = Counter(r.reason for r in results if r.outcome in (Outcome.CHECKED, Outcome.SKIPPED))
    lines = [
        f"### The guide on {data.run.platform}, uv {data.run.uv_version}",
        "",
        f"Run `{data.run.id}`, {data.run.status}: isolation {data.run.isolation}, "
        f"{data.run.workers} workers, {data.run.wall_s:.0f} s{cpu(data)}.",
        "",
        f"- ran: {outcomes[Outcome.PASSED]} blocks",
        f"- failed: {outcomes[Outcome.FAILED]}, errors: {outcomes[Outcome.ERROR]}",
        f"- not run here: {outcomes[Outcome.CHECKED]} checked (uv accepted their arguments), "
        f"{outcomes[Outcome.SKIPPED]} skipped",
        "",
    ]
    if not_run:
        lines += ["| blocks | not run here because |", "|---:|---|"]
        lines += [f"| {count} | {reason} |" for reason, count in not_run.most_common()]
    return "\n".join(lines) + "\n"


def cpu(data: report.Report) -> str:
    commands = data.command_cpu_s
    if not commands:
        return ""
    cores = f" on {data.run.cpus} cores" if data.run.cpus else ""
    return f"{cores}; the pages' commands used {commands:.0f} CPU-s"


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else load().build / "examples-report.json"
    try:
        data = report.read(path)
    except OSError:
        print(f"No examples report at {path}: the examples session did not run.")
        return 0
    except (KeyError, TypeError, ValueError) as error:
        print(f"{path} is not a report of this harness ({type(error).__name__}: {error}).")
        return 1
    print(summary(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
