"""The timed scenarios: the same job done by pip (and pip-tools) and by uv, interleaved."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Command = list[str]


@dataclass
class Job:
    """One tool's way to do a scenario: `prepare` (untimed) sets up, `run` is timed."""

    prepare: Callable[[Path], None]
    run: Callable[[Path], Command]


@dataclass
class Scenario:
    name: str
    pip: Job
    uv: Job


def sh(command: Command, cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def timed(command: Command, cwd: Path) -> float:
    started = time.perf_counter()
    sh(command, cwd)
    return time.perf_counter() - started


def scenarios(uv: str, index: str, locked: Path, loose: Path) -> list[Scenario]:
    """pip and uv doing the same five jobs against the same local index."""
    python = sys.executable
    pip_index = ["--no-index", "--find-links", index]
    uv_index = ["--no-index", "--find-links", index]
    venv_python = "venv/bin/python"

    def nothing(work: Path) -> None:
        pass

    def pip_venv(work: Path) -> None:
        sh([python, "-m", "venv", "venv"], work)

    def uv_venv(work: Path) -> None:
        sh([uv, "venv", "--quiet", "venv"], work)

    def pip_install(cache: str) -> Command:
        return [venv_python, "-m", "pip", "install", "--quiet", *pip_index, "--cache-dir",
                cache, "-r", str(locked)]  # fmt: skip

    def uv_install(cache: str) -> Command:
        return [uv, "pip", "install", "--quiet", "--python", venv_python, *uv_index,
                "--cache-dir", cache, "-r", str(locked)]  # fmt: skip

    def warmed(make_venv: Callable[[Path], None], install: Callable[[str], Command]) -> Job:
        def prepare(work: Path) -> None:
            make_venv(work)
            sh(install("warm-cache"), work)  # fills the cache; the timed run reuses it
            shutil.rmtree(work / "venv")
            make_venv(work)

        return Job(prepare, lambda work: install("warm-cache"))

    def synced(make_venv: Callable[[Path], None], sync: Command) -> Job:
        def prepare(work: Path) -> None:
            make_venv(work)
            sh(sync, work)

        return Job(prepare, lambda work: sync)

    def pip_compile(output: str) -> Command:
        return [python, "-m", "piptools", "compile", "--quiet", "--strip-extras", *pip_index,
                "--cache-dir", "pc-cache", "--output-file", output, str(loose)]  # fmt: skip

    def uv_compile(output: str) -> Command:
        return [uv, "pip", "compile", "--quiet", *uv_index, "--cache-dir", "uc-cache", "-o",
                output, str(loose)]  # fmt: skip

    pip_sync = [python, "-m", "piptools", "sync", "--quiet", "--python-executable", venv_python,
                *pip_index, str(locked)]  # fmt: skip
    uv_sync = [uv, "pip", "sync", "--quiet", "--python", venv_python, *uv_index, "--cache-dir",
               "sync-cache", str(locked)]  # fmt: skip
    return [
        Scenario(
            "create a virtual environment",
            Job(nothing, lambda work: [python, "-m", "venv", "venv"]),
            Job(nothing, lambda work: [uv, "venv", "--quiet", "venv"]),
        ),
        Scenario(
            "cold install (empty cache)",
            Job(pip_venv, lambda work: pip_install("cold-cache")),
            Job(uv_venv, lambda work: uv_install("cold-cache")),
        ),
        Scenario(
            "warm install (populated cache)",
            warmed(pip_venv, pip_install),
            warmed(uv_venv, uv_install),
        ),
        Scenario(
            "resolve only (pip-compile vs uv pip compile)",
            Job(lambda work: sh(pip_compile("warm.txt"), work), lambda w: pip_compile("out.txt")),
            Job(lambda work: sh(uv_compile("warm.txt"), work), lambda w: uv_compile("out.txt")),
        ),
        Scenario(
            "no-op re-sync (pip-sync vs uv pip sync)",
            synced(pip_venv, pip_sync),
            synced(uv_venv, uv_sync),
        ),
    ]  # fmt: skip


def measure(job: Job) -> float:
    """Run one job in a fresh directory; returns the timed part in seconds."""
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        job.prepare(work)
        return timed(job.run(work), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
