"""The harness under faults: network down, interruption. Nothing hangs, leaks or is misreported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO

CLOSED_PORT = "http://127.0.0.1:9"


def test_network_down_is_an_environment_error_not_a_docs_failure(run_page):
    proxies = {name: CLOSED_PORT for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    run = run_page("network.md", env={**proxies, "UV_HTTP_RETRIES": "0"})
    assert run.returncode == 1
    assert run.block(1)["outcome"] == "passed"
    network = run.block(6)
    assert network["outcome"] == "error"
    assert network["failure_class"] == "environment"
    assert "environment, not the docs" in network["message"]
    assert run.block(12)["outcome"] == "passed"
    # The next block fails only because the install above could not happen: not drift either.
    consequence = run.block(17)
    assert consequence["failure_class"] == "environment"
    assert "follows the environment failure at line 6" in consequence["message"]
    assert not any(b["outcome"] == "failed" for b in run.report["blocks"])


def processes_matching(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interruption_leaves_nothing_behind(tmp_path: Path, signum: int):
    page = tmp_path / "interrupt.md"
    page.write_text((FIXTURES / "interrupt.md").read_text())
    sandboxes = tmp_path / "sandboxes"
    sandboxes.mkdir()
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir",
         str(tmp_path), "-p", "no:xdist", "--examples-report", str(report), str(page)],
        env={**os.environ, "TMPDIR": str(sandboxes)}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not processes_matching("sleep 3003") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_matching("sleep 3003"), "the page never reached its long command"
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert not processes_matching("sleep 300"), "commands outlived the run"
    assert not list(sandboxes.iterdir()), "sandbox directories left behind"
    data = json.loads(report.read_text())
    assert [b["outcome"] for b in data["blocks"] if b["line"] == 1] == ["passed"]


def outcomes_of(run_dir: Path, *args: str) -> dict[tuple[str, int], str]:
    report = run_dir / f"report{abs(hash(args))}.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir",
         str(run_dir), "--examples-report", str(report), *args],
        cwd=run_dir, capture_output=True, check=False, timeout=600,
    )  # fmt: skip
    blocks = json.loads(report.read_text())["blocks"]
    return {(Path(b["page"]).name, b["line"]): b["outcome"] for b in blocks}


def test_same_results_with_one_or_two_workers_and_any_page_order(tmp_path: Path):
    pages = []
    for name in ("session.md", "isolation.md", "changed_output.md"):
        (tmp_path / name).write_text((FIXTURES / name).read_text())
        pages.append(str(tmp_path / name))
    serial = outcomes_of(tmp_path, "-p", "no:xdist", *pages)
    assert serial[("changed_output.md", 1)] == "failed"
    assert outcomes_of(tmp_path, "-n", "2", "--dist", "loadfile", *pages) == serial
    assert outcomes_of(tmp_path, "-p", "no:xdist", *reversed(pages)) == serial


def test_sandboxes_never_live_inside_a_project(tmp_path: Path, monkeypatch):
    """nox points TMPDIR into .nox/: a sandbox there would find the repo's venv and config."""
    from uvguide.sandbox import sandbox_base

    project = tmp_path / "project"
    (project / "tmp").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.setenv("TMPDIR", str(project / "tmp"))
    monkeypatch.setattr("tempfile.tempdir", None)
    assert not sandbox_base().is_relative_to(project)
