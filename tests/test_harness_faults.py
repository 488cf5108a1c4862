"""The harness under faults: network down, interruption. Nothing hangs, leaks or is misreported."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, processes_mentioning
from uvguide.cache_daemons import CLOSED_PORT
from uvguide.plugin import PAGES_ONLY


def test_network_down_is_an_environment_error_not_a_docs_failure(run_page):
    proxies = {name: CLOSED_PORT for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    run = run_page("network.md", env=proxies)
    assert run.returncode == 1
    assert run.block(7)["outcome"] == "passed"
    network = run.block(12)
    assert network["outcome"] == "error"
    assert network["failure_class"] == "environment"
    assert "environment, not the docs" in network["message"]
    assert run.block(18)["outcome"] == "passed"
    # The next block fails only because the install above could not happen: not drift either.
    consequence = run.block(23)
    assert consequence["failure_class"] == "environment"
    assert "follows the environment failure at line 12" in consequence["message"]
    assert not any(b["outcome"] == "failed" for b in run.report["blocks"])


def test_a_simulated_outage_cuts_the_pages_that_keep_the_real_network(run_page, tmp_path):
    page = tmp_path / "direct.md"
    page.write_text(
        '<!-- test-page: network=direct reason="it shows the network" -->\n\n'
        + (FIXTURES / "network.md").read_text()
    )
    assert run_page("direct.md", page=page).returncode == 0, "the real network answers"
    run = run_page("direct.md", "--index-outage", page=page)
    network = run.block(14)
    assert (network["outcome"], network["failure_class"]) == ("error", "environment")
    assert run.block(20)["outcome"] == "passed"


def harness(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """The harness on pages in tmp_path, its sandboxes under tmp_path/sandboxes."""
    sandboxes = tmp_path / "sandboxes"
    sandboxes.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *PAGES_ONLY, "-c", str(REPO / "pyproject.toml"),
         "--rootdir",
         str(tmp_path), "--examples-report", str(tmp_path / "report.json"), *args],
        env={**os.environ, "TMPDIR": str(sandboxes)}, cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(process: subprocess.Popen[str], tmp_path: Path) -> None:
    """However a test ends: its harness and every process of its sandboxes are gone."""
    if process.poll() is None:
        process.kill()
        process.communicate()
    for pid, _ in processes_mentioning(str(tmp_path)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


NOX_CTRL_C = (signal.SIGINT, signal.SIGTERM)  # what nox sends, 0.3 s apart


@pytest.mark.parametrize(
    "signals",
    [(signal.SIGINT,), (signal.SIGTERM,), NOX_CTRL_C],
    ids=["sigint", "sigterm", "nox-ctrl-c"],
)
def test_interruption_leaves_nothing_behind(tmp_path: Path, signals: tuple[int, ...]):
    page = tmp_path / "interrupt.md"
    page.write_text((FIXTURES / "interrupt.md").read_text())
    process = harness(tmp_path, "-p", "no:xdist", str(page))
    try:
        deadline = time.monotonic() + 60
        mine = str(tmp_path)
        while not any("sleep 3003" in c for _, c in processes_mentioning(mine)):
            assert time.monotonic() < deadline, "the page never reached its long command"
            time.sleep(0.1)
        for number, signum in enumerate(signals):
            if number:
                time.sleep(0.3)
            process.send_signal(signum)
        process.communicate(timeout=60)
        assert not processes_mentioning(mine), "commands outlived the run"
        assert not list((tmp_path / "sandboxes").iterdir()), "sandbox directories left behind"
        data = json.loads((tmp_path / "report.json").read_text())
        assert data["run"]["status"] == "interrupted"
        assert [b["outcome"] for b in data["blocks"] if b["line"] == 1] == ["passed"]
    finally:
        stop(process, tmp_path)


def test_a_crashed_worker_is_an_error_on_its_page_never_a_rerun(tmp_path: Path):
    """Only without namespaces can a page reach its worker; this one kills it."""
    page = tmp_path / "crash_worker.md"
    page.write_text((FIXTURES / "crash_worker.md").read_text())
    process = harness(tmp_path, "-n", "1", "--isolation=environment-only", str(page))
    try:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 1, output
        report = json.loads((tmp_path / "report.json").read_text())
        blocks = {b["line"]: b for b in report["blocks"]}
        assert blocks[3]["outcome"] == "passed"
        assert blocks[8]["failure_class"] == "crash"
        assert "crashed while running" in blocks[8]["message"]
        # The rest of the page is reported as lost, not run again in a fresh sandbox.
        assert blocks[12]["failure_class"] == "crash"
        assert "lost when worker gw0 crashed while running its line 8" in blocks[12]["message"]
        sandboxes = list((tmp_path / "sandboxes").glob("uvdoc-*"))
        assert not sandboxes, "the controller removes what the crashed worker left"
        assert not processes_mentioning(str(tmp_path))
    finally:
        stop(process, tmp_path)


def outcomes_of(run_dir: Path, *args: str) -> dict[tuple[str, int], str]:
    report = run_dir / f"report{abs(hash(args))}.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", *PAGES_ONLY, "-c", str(REPO / "pyproject.toml"),
         "--rootdir",
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


def test_a_run_killed_outright_leaves_a_report_that_says_it_is_partial(tmp_path: Path):
    page = tmp_path / "interrupt.md"
    page.write_text((FIXTURES / "interrupt.md").read_text())
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"run": {"status": "complete"}, "blocks": []}))
    process = harness(tmp_path, "-p", "no:xdist", str(page))
    try:
        deadline = time.monotonic() + 60
        while not any("sleep 3003" in c for _, c in processes_mentioning(str(tmp_path))):
            assert time.monotonic() < deadline, "the page never reached its long command"
            time.sleep(0.1)
        process.kill()
        process.communicate(timeout=60)
        data = json.loads(report.read_text())
        assert data["run"]["status"] == "running", "the last run's report was replaced at start"
        assert data["run"]["finished_at"] is None
    finally:
        stop(process, tmp_path)
