"""The timed scenarios: the same job done by pip (and pip-tools) and by uv, interleaved.

Each pair does the same work, and where a choice changes the amount of work both tools make it
the same way, in two variants:

- a virtual environment with pip in it (`python -m venv`, `uv venv --seed`) and without
  (`python -m venv --without-pip`, `uv venv`);
- installs that compile bytecode (pip's default, `uv pip install --compile-bytecode`) and that
  do not (`pip install --no-compile`, uv's default).

pip runs from the benchmark's own environment (the pinned pip) with `--python` pointing at the
target environment, so the pip that is timed is the pip that is reported, whatever the
environment was created with.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

Command = list[str]
VENV_PYTHON = "venv/bin/python"


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


class BenchError(Exception):
    """A benchmarked command failed: the figures would mean nothing."""


def sh(command: Command, cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode:
        error = done.stderr.decode(errors="replace").strip()
        raise BenchError(f"{shlex.join(command)} failed with {done.returncode}:\n{error}")


def timed(command: Command, cwd: Path) -> float:
    started = time.perf_counter()
    sh(command, cwd)
    return time.perf_counter() - started


def scenarios(uv: str, index: list[str], locked: Path, loose: Path) -> list[Scenario]:
    """pip and uv doing the same jobs against the same index (`index`: the options naming it,
    the same for both tools)."""
    python = sys.executable
    offline_index = index

    def bare_venv(work: Path) -> None:
        sh([python, "-m", "venv", "--without-pip", "venv"], work)

    def uv_venv(work: Path) -> None:
        sh([uv, "venv", "--quiet", "venv"], work)

    def pip_install(cache: str, *, bytecode: bool) -> Command:
        return [python, "-m", "pip", "--python", VENV_PYTHON, "install", "--quiet",
                *offline_index, "--cache-dir", cache, *([] if bytecode else ["--no-compile"]),
                "-r", str(locked)]  # fmt: skip

    def uv_install(cache: str, *, bytecode: bool) -> Command:
        return [uv, "pip", "install", "--quiet", "--python", VENV_PYTHON, *offline_index,
                "--cache-dir", cache, *(["--compile-bytecode"] if bytecode else []),
                "-r", str(locked)]  # fmt: skip

    def cold(make_venv: Callable[[Path], None], install: Callable[..., Command], b: bool) -> Job:
        return Job(make_venv, lambda work: install("cold-cache", bytecode=b))

    def warm(make_venv: Callable[[Path], None], install: Callable[..., Command], b: bool) -> Job:
        def prepare(work: Path) -> None:
            make_venv(work)
            sh(install("warm-cache", bytecode=b), work)  # fills the cache; the timed run reuses it
            shutil.rmtree(work / "venv")
            make_venv(work)

        return Job(prepare, lambda work: install("warm-cache", bytecode=b))

    def pip_compile(output: str) -> Command:
        return [python, "-m", "piptools", "compile", "--quiet", "--strip-extras", *offline_index,
                "--cache-dir", "pc-cache", "--output-file", output, str(loose)]  # fmt: skip

    def uv_compile(output: str) -> Command:
        return [uv, "pip", "compile", "--quiet", *offline_index, "--cache-dir", "uc-cache", "-o",
                output, str(loose)]  # fmt: skip

    # pip-sync drives the pip inside the target environment: give it the pip that is reported.
    def pip_venv(work: Path) -> None:
        bare_venv(work)
        sh([python, "-m", "pip", "--python", VENV_PYTHON, "install", "--quiet", *offline_index,
            f"pip=={version('pip')}"], work)  # fmt: skip

    pip_sync = [python, "-m", "piptools", "sync", "--quiet", "--python-executable", VENV_PYTHON,
                *offline_index, str(locked)]  # fmt: skip
    uv_sync = [uv, "pip", "sync", "--quiet", "--python", VENV_PYTHON, *offline_index,
               "--cache-dir", "sync-cache", str(locked)]  # fmt: skip

    def synced(make_venv: Callable[[Path], None], sync: Command) -> Job:
        def prepare(work: Path) -> None:
            make_venv(work)
            sh(sync, work)

        return Job(prepare, lambda work: sync)

    def nothing(work: Path) -> None:
        pass

    return [
        Scenario(
            "create a virtual environment, without pip",
            Job(nothing, lambda work: [python, "-m", "venv", "--without-pip", "venv"]),
            Job(nothing, lambda work: [uv, "venv", "--quiet", "venv"]),
        ),
        Scenario(
            "create a virtual environment, with pip",
            Job(nothing, lambda work: [python, "-m", "venv", "venv"]),
            Job(nothing, lambda work: [uv, "venv", "--quiet", "--seed", *offline_index, "venv"]),
        ),
        *(
            Scenario(
                f"{cache} install, {'bytecode compiled' if bytecode else 'no bytecode'}",
                install(bare_venv, pip_install, bytecode),
                install(uv_venv, uv_install, bytecode),
            )
            for cache, install in (("cold", cold), ("warm", warm))
            for bytecode in (False, True)
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
