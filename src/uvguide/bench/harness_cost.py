"""The harness's own cost, from the last examples report: suite wall time, time per page, and the
overhead per block beyond the commands' own run time. Targets it reports against: the whole
guide under 3 minutes warm on 2 cores, under 50 ms of harness overhead per block."""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from ..settings import load

WALL_TARGET_S = 180.0
OVERHEAD_TARGET_S = 0.050


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else load().build / "examples-report.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    blocks = [b for b in report["blocks"] if "overhead_s" in b]
    per_page: dict[str, float] = defaultdict(float)
    for block in blocks:
        per_page[block["page"]] += block["duration_s"]
    overheads = [b["overhead_s"] for b in blocks if b["mode"] != "skip"]
    wall = report.get("wall_s")
    print(f"harness cost, from {path}")
    if wall is not None:
        verdict = "within" if wall <= WALL_TARGET_S else "OVER"
        print(f"  suite wall time: {wall:.1f} s ({verdict} the {WALL_TARGET_S:.0f} s target), "
              f"{report.get('workers', 1)} worker(s)")  # fmt: skip
    print(f"  blocks timed: {len(blocks)}; time inside blocks: {sum(per_page.values()):.1f} s")
    median, p95, worst = statistics.median(overheads), percentile(overheads, 0.95), max(overheads)
    verdict = "within" if median <= OVERHEAD_TARGET_S else "OVER"
    print(f"  overhead per block: median {1000 * median:.1f} ms ({verdict} the "
          f"{1000 * OVERHEAD_TARGET_S:.0f} ms target), p95 {1000 * p95:.1f} ms, "
          f"max {1000 * worst:.1f} ms")  # fmt: skip
    print("  slowest pages:")
    for page, seconds in sorted(per_page.items(), key=lambda item: -item[1])[:8]:
        print(f"    {seconds:6.1f} s  {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
