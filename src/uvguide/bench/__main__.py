"""Run the pip-vs-uv benchmark and write docs/data/benchmarks.json.

    python -m uvguide.bench [--runs 5] [--sets mlx,ml] [--real-index] [--out PATH]

Wheels come from a local index on 127.0.0.1 (downloaded once into build/bench/), so network noise
does not decide the result; --real-index times against the configured package index instead.
Each scenario runs `--runs` times, pip and uv interleaved (pip first on even runs, uv first on
odd ones), and reports median, min and max per tool and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import ensurepip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .. import localhost
from ..files import write_atomically
from ..settings import load
from ..uv_binary import pinned_uv_path, version_of
from .scenarios import measure, scenarios

SNIPPETS = load().snippets
SETS = {
    # name: (description, loose requirements, locked requirements or None to lock here)
    "mlx": ("the MLX API service",
            SNIPPETS / "mlx" / "requirements.in", SNIPPETS / "mlx" / "requirements.txt"),
    "ml": ("an ML-flavoured set: numpy, pandas, scipy, scikit-learn, matplotlib, Hugging Face hub",
           SNIPPETS / "bench" / "ml-requirements.in", None),
    "tiny": ("one small package (the test suite's smoke run)",
             SNIPPETS / "bench" / "tiny-requirements.in", None),
}  # fmt: skip


def lock(uv: str, loose: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [uv, "pip", "compile", "--quiet", "--exclude-newer", load().exclude_newer,
         "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}",
         "--no-header", str(loose), "-o", str(out)],
        check=True,
    )  # fmt: skip
    return out


# What `uv venv --seed` puts in an environment on Python 3.11 (wheel needs packaging), at the
# versions this benchmark's own environment has from the lock.
SEED_PACKAGES = ("pip", "setuptools", "wheel", "packaging")


def fill(wheelhouse: Path, requirements: Path) -> None:
    """Download (once) every wheel of a locked requirements file into wheelhouse, and the seed
    packages of a new environment."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    seeds = [f"{name}=={version(name)}" for name in SEED_PACKAGES]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
         "--dest", str(wheelhouse), "-r", str(requirements), *seeds],
        check=True,
    )  # fmt: skip


def stats(samples: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(samples), 4),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
        "runs_s": [round(s, 4) for s in samples],
    }


def run_set(name: str, runs: int, real_index: bool, uv: str, work: Path) -> dict[str, Any]:
    description, loose, locked = SETS[name]
    locked = locked or lock(uv, loose, work / f"{name}-requirements.txt")
    wheelhouse = work / f"wheelhouse-{name}"
    if not real_index:
        fill(wheelhouse, locked)
    serving = nullcontext("https://pypi.org/simple/") if real_index else localhost.serve(wheelhouse)
    results = []
    with serving as url:
        index = ["--index-url", url] if real_index else ["--no-index", "--find-links", url]
        for scenario in scenarios(uv, index, locked, loose):
            samples: dict[str, list[float]] = {"pip": [], "uv": []}
            for run in range(runs):
                order = ("pip", "uv") if run % 2 == 0 else ("uv", "pip")
                for tool in order:
                    samples[tool].append(measure(getattr(scenario, tool)))
            pip, uv_ = stats(samples["pip"]), stats(samples["uv"])
            results.append({
                "scenario": scenario.name, "pip": pip, "uv": uv_,
                "ratio": round(pip["median_s"] / uv_["median_s"], 1),
            })  # fmt: skip
            print(f"  {name:4} {scenario.name:45} pip {pip['median_s']:7.3f}s  "
                  f"uv {uv_['median_s']:7.3f}s  x{results[-1]['ratio']}")  # fmt: skip
    packages = sum(1 for line in locked.read_text().splitlines() if "==" in line)
    source = (locked if SETS[name][2] else loose).relative_to(load().root).as_posix()
    return {
        "name": name, "description": description, "source": source, "packages": packages,
        "results": results,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sets", default="mlx,ml")
    parser.add_argument("--real-index", action="store_true")
    parser.add_argument("--out", type=Path, default=load().docs / "data" / "benchmarks.json")
    args = parser.parse_args(argv)
    # The machine's pip configuration (extra indexes, find-links) must not leak into the timings.
    os.environ.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    uv_path = pinned_uv_path()
    uv, uv_version = str(uv_path), version_of(uv_path)
    work = load().build / "bench"
    data = {
        "measured": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": {
            "os": f"{platform.system()} {platform.release()}",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "versions": {
            "pip": version("pip"),
            "pip-tools": version("pip-tools"),
            "uv": uv_version,
            # What `python -m venv` puts in a new environment; pip-sync and the timed pip runs
            # use the pip above.
            "pip bundled with Python": ensurepip.version(),
        },
        "index": "configured package index" if args.real_index else "local index on 127.0.0.1",
        "runs": args.runs,
        "sets": [
            run_set(name, args.runs, args.real_index, uv, work) for name in args.sets.split(",")
        ],
    }
    write_atomically(args.out, json.dumps(data, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
