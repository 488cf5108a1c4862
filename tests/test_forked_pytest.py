"""The forked pytest that runs fixture pages behaves as a new interpreter would: its own
directory, environment and temporary directory; a crash or a hang ends the child alone."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from forked_pytest import run_pytest

PROBE = """
import os, signal, tempfile, time
from pathlib import Path

def test_where_it_runs():
    assert Path.cwd() == Path(os.environ["EXPECTED_CWD"])
    assert tempfile.gettempdir() == os.environ["TMPDIR"]
    assert "ONLY_IN_THE_PARENT" not in os.environ
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL

def test_crash():
    os.kill(os.getpid(), signal.SIGKILL)

def test_hang():
    time.sleep(300)
"""


def run(tmp_path: Path, name: str, timeout: float = 60) -> tuple[int, str]:
    (tmp_path / "test_probe.py").write_text(PROBE)
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "TMPDIR": str(temporary), "EXPECTED_CWD": str(tmp_path)}
    # Not the harness's plugin: the probe is no page, and tmp_path has no pyproject.toml for it.
    plugins_off = ["-p", "no:xdist", "-p", "no:uvguide", "-p", "no:cacheprovider"]
    args = [*plugins_off, "--rootdir", str(tmp_path), "-q", f"test_probe.py::{name}"]
    return run_pytest(args, cwd=tmp_path, env=env, timeout=timeout)


def test_the_child_has_its_own_directory_environment_and_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ONLY_IN_THE_PARENT", "1")
    cwd = Path.cwd()
    code, output = run(tmp_path, "test_where_it_runs")
    assert (code, "1 passed" in output) == (0, True), output
    assert Path.cwd() == cwd and os.environ["ONLY_IN_THE_PARENT"] == "1"


def test_a_crash_ends_the_child_alone(tmp_path: Path):
    code, _ = run(tmp_path, "test_crash")
    assert code == -9


def test_a_hang_is_killed_at_the_timeout(tmp_path: Path):
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run(tmp_path, "test_hang", timeout=2)
    assert time.monotonic() - started < 30
