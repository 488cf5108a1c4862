"""The harness's own cost, from the last examples report: suite wall time, time per page, the
overhead per block beyond the commands' own run time, and the CPU the pages' commands used.
Targets it reports against: the whole guide under 3 minutes warm on 2 cores, under 50 ms of
harness overhead per block."""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

from .. import report
from ..results import Mode, Outcome
from ..settings import load

WALL_TARGET_S = 180.0
OVERHEAD_TARGET_S = 0.050
TOP = 8


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cpu_lines(data: report.Report) -> list[str]:
    """The CPU the pages' commands used, with the shell that carries each one's state (about
    7 ms a command): on n cores they need at least their CPU / n seconds, whatever runs them."""
    commands = data.command_cpu_s
    if not commands:
        return ["  no CPU figures: the report is older than them"]
    lines = [f"  CPU in the pages' commands: {commands:.1f} s"]
    if data.run.cpus:
        lines[0] += (
            f"; on {data.run.cpus} core(s) they alone take at least "
            f"{commands / data.run.cpus:.1f} s of the {data.run.wall_s:.1f} s"
        )
    per_command = sorted(
        ((command.cpu_s, result.page, command.text.splitlines()[0])
         for result in data.results for command in result.commands),
        reverse=True,
    )  # fmt: skip
    lines.append("  commands using the most CPU:")
    lines += [f"    {cpu:6.2f} s  {page}: {text[:70]}" for cpu, page, text in per_command[:TOP]]
    return lines


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else load().build / "examples-report.json"
    data = report.read(path)
    per_page: dict[str, float] = defaultdict(float)
    for result in data.results:
        per_page[result.page] += result.duration_s
    # Display-only blocks and skipped ones run nothing, so they have no overhead to show.
    overheads = [
        r.overhead_s for r in data.results
        if r.outcome is not Outcome.DISPLAY and r.mode is not Mode.SKIP
    ]  # fmt: skip
    wall = data.run.wall_s
    print(f"harness cost, from {path}")
    verdict = "within" if wall <= WALL_TARGET_S else "OVER"
    print(f"  suite wall time: {wall:.1f} s ({verdict} the {WALL_TARGET_S:.0f} s target), "
          f"{data.run.workers} worker(s)")  # fmt: skip
    print(f"  blocks timed: {len(overheads)}; time inside blocks: {sum(per_page.values()):.1f} s")
    median, p95, worst = statistics.median(overheads), percentile(overheads, 0.95), max(overheads)
    verdict = "within" if median <= OVERHEAD_TARGET_S else "OVER"
    print(f"  overhead per block: median {1000 * median:.1f} ms ({verdict} the "
          f"{1000 * OVERHEAD_TARGET_S:.0f} ms target), p95 {1000 * p95:.1f} ms, "
          f"max {1000 * worst:.1f} ms")  # fmt: skip
    print("\n".join(cpu_lines(data)))
    print("  slowest pages:")
    for page, seconds in sorted(per_page.items(), key=lambda item: -item[1])[:TOP]:
        print(f"    {seconds:6.1f} s  {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
