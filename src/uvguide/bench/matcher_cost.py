"""The output matcher on large outputs: time and peak memory of each case, each in a fresh
process so one case's memory does not hide another's.

    python -m uvguide.bench.matcher_cost

The cases are the ones that once took a worker down: thousands of identical lines, and a
730,000-line expected output, matching and differing near the end.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from ..matcher import compare

CASES = {
    "4,000 identical lines, matching": (4_000, "same", None),
    "4,000 identical lines, one changed": (4_000, "same", 3_000),
    "730,000 lines, matching": (730_000, "numbered", None),
    "730,000 lines, one changed near the end": (730_000, "numbered", 700_000),
    "730,000 lines, all changed": (730_000, "all-changed", None),
}


def measure(name: str) -> dict[str, float]:
    size, shape, changed_at = CASES[name]
    expected = [f"line {n}" if shape != "same" else "the same line" for n in range(size)]
    actual = [f"other {n}" for n in range(size)] if shape == "all-changed" else list(expected)
    if changed_at is not None:
        actual[changed_at] = "changed"
    started = time.perf_counter()
    comparison = compare(expected, actual)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    matched = comparison.matched
    return {"seconds": round(seconds, 3), "peak_mib": round(peak_mib), "matched": matched}


def main() -> int:
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        return 0
    print("output matcher, one process per case (time to compare; peak memory of the process)")
    for name in CASES:
        out = subprocess.run(
            [sys.executable, "-m", "uvguide.bench.matcher_cost", name],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(out.stdout)
        print(f"  {name:42} {figures['seconds']:7.3f} s  {figures['peak_mib']:6d} MiB peak")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
