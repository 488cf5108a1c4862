"""The benchmark runs end to end on a tiny configuration and writes data the site can render.
(No timing is asserted: figures come from `nox -s bench`, not from tests.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from harness import site_macros
from harness.settings import REPO_ROOT


def test_bench_runs_on_a_tiny_set_and_writes_valid_data(tmp_path, monkeypatch):
    out = tmp_path / "benchmarks.json"
    subprocess.run(
        [sys.executable, "-m", "bench", "--runs", "1", "--sets", "tiny", "--out", str(out)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": "tests"}, check=True,
        capture_output=True, timeout=600,
    )  # fmt: skip
    data = json.loads(out.read_text())
    assert data["versions"]["uv"] and data["machine"]["cpus"] >= 1
    (tiny,) = data["sets"]
    assert [row["scenario"] for row in tiny["results"]] == [
        "create a virtual environment",
        "cold install (empty cache)",
        "warm install (populated cache)",
        "resolve only (pip-compile vs uv pip compile)",
        "no-op re-sync (pip-sync vs uv pip sync)",
    ]
    for row in tiny["results"]:
        for tool in ("pip", "uv"):
            stats = row[tool]
            assert (
                len(stats["runs_s"]) == 1 and stats["min_s"] <= stats["median_s"] <= stats["max_s"]
            )
    monkeypatch.setattr(site_macros, "BENCHMARKS", out)
    assert "| warm install (populated cache) |" in site_macros.benchmark_table("tiny")
    assert site_macros.benchmark_chart("tiny").count("<rect") == 10
