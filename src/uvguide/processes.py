"""Run one process for a block: its own process group, a time limit, and nothing left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    status: int
    output: str  # stdout and stderr interleaved, as a terminal shows them
    duration_s: float
    timed_out: bool


def run_process(argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> Result:
    """Run argv in its own process group; on timeout, or when it leaves children, kill the group."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    timed_out = False
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(process.pid)
        raw, _ = process.communicate()
    finally:
        # Background jobs a block started must not outlive it.
        kill_group(process.pid)
    return Result(
        status=process.returncode,
        output=raw.decode("utf-8", errors="replace"),
        duration_s=time.perf_counter() - started,
        timed_out=timed_out,
    )


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
