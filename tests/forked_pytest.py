"""pytest on a fixture page, in a forked child of the test's own process.

A new interpreter spent about 0.35 CPU-s importing pytest, Sybil and the harness before the
page's first block: half of what a fixture page's run cost, and the harness's tests run some
sixty. A forked child starts with all of that imported, and is still a process of its own: a
page that crashes or kills its pytest takes only the child with it, and the child's directory,
environment, signal handlers and exit handlers are its own, as a new interpreter's would be.
"""

from __future__ import annotations

import atexit
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import NoReturn

import pytest

# The child fails before pytest has said anything (EX_SOFTWARE): its traceback is the output.
CHILD_FAILED = 70


def run_pytest(
    args: list[str], *, cwd: Path, env: dict[str, str], timeout: float
) -> tuple[int, str]:
    """pytest's exit code and its output (stdout and stderr together), as for
    `python -m pytest ARGS` run in cwd with env; a run past timeout is killed and raises
    subprocess.TimeoutExpired, as subprocess.run does."""
    with tempfile.TemporaryFile() as output:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(args, cwd, env, output.fileno())
        status = _wait(pid, timeout, args)
        output.seek(0)
        return os.waitstatus_to_exitcode(status), output.read().decode("utf-8", "replace")


def _child(args: list[str], cwd: Path, env: dict[str, str], output: int) -> NoReturn:
    code = CHILD_FAILED
    try:
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
        sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.FileIO(2, "w", closefd=False))
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        # The parent read TMPDIR once and kept its answer; the child reads its own, or its
        # sandboxes would land in the parent's temporary directory.
        tempfile.tempdir = None
        # What a new interpreter starts with: the parent's handlers are the parent's business.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        atexit._clear()
        # The harness was imported before pytest could rewrite its asserts; pytest says so.
        code = int(pytest.main(["-W", "ignore::pytest.PytestAssertRewriteWarning", *args]))
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, timeout: float, args: list[str]) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(["pytest", *args], timeout)
        time.sleep(0.02)
