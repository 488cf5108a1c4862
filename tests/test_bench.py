"""The benchmark runs end to end on a tiny configuration and writes data the site can render.
(No timing is asserted: figures come from `nox -s bench`, not from tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

from conftest import REPO
from uvguide.site import macros


def test_bench_runs_on_a_tiny_set_and_writes_valid_data(tmp_path):
    out = tmp_path / "benchmarks.json"
    subprocess.run(
        [sys.executable, "-m", "uvguide.bench", "--runs", "1", "--sets", "tiny", "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=600,
    )
    data = json.loads(out.read_text())
    assert data["versions"]["uv"] and data["machine"]["cpus"] >= 1
    (tiny,) = data["sets"]
    assert [row["scenario"] for row in tiny["results"]] == [
        "create a virtual environment, without pip",
        "create a virtual environment, with pip",
        "cold install, no bytecode",
        "cold install, bytecode compiled",
        "warm install, no bytecode",
        "warm install, bytecode compiled",
        "resolve only (pip-compile vs uv pip compile)",
        "no-op re-sync (pip-sync vs uv pip sync)",
    ]
    # The pip that was timed is the pip that is reported.
    assert data["versions"]["pip"] == version("pip")
    for row in tiny["results"]:
        for tool in ("pip", "uv"):
            stats = row[tool]
            assert (
                len(stats["runs_s"]) == 1 and stats["min_s"] <= stats["median_s"] <= stats["max_s"]
            )
    assert "| warm install, bytecode compiled |" in macros.benchmark_table(tmp_path, "tiny")
    assert macros.benchmark_chart(tmp_path, "tiny").count("<rect") == 16
