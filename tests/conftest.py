"""Helpers for the harness's own tests: run the harness on fixture pages, each in a process of its
own."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from forked_pytest import run_pytest
from uvguide.lexer import PageLexer
from uvguide.plugin import PAGES_ONLY, RECORDING_PAGES_ONLY
from uvguide.settings import load

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SETTINGS = load(REPO)

# CI draws the same examples on every run, so a landing never depends on luck; elsewhere each
# run explores new ones (and what it finds becomes an `@example`).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def page_lexer(page: Path, variables: dict[str, str] | None = None) -> PageLexer:
    """A lexer for a page of this project, with the pinned values (no uv is started)."""
    return PageLexer(page, SETTINGS.snippets, variables or SETTINGS.page_variables())


@dataclass
class Run:
    returncode: int
    output: str
    report: dict[str, Any]

    def block(self, line: int) -> dict[str, Any]:
        matches = [b for b in self.report["blocks"] if b["line"] == line]
        assert len(matches) == 1, f"no single record for line {line}: {self.report['blocks']}"
        return matches[0]

    def outcomes(self) -> dict[int, str]:
        return {b["line"]: b["outcome"] for b in self.report["blocks"]}


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    """This machine's processes whose command line or environment contains text: how a test
    finds the processes of its own sandboxes and no one else's."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (entry / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline or text in environ:
            found.append((int(entry.name), cmdline.strip()))
    return found


def project_with(tmp_path: Path, **settings: int) -> Path:
    """A copy of the project's pyproject.toml in tmp_path with some [tool.uv-guide] values
    changed (smaller limits, say); returns its path, for `-c`."""
    text = (REPO / "pyproject.toml").read_text()
    for key, value in settings.items():
        name = key.replace("_", "-")
        text, count = re.subn(rf"(?m)^{name} = .*$", f"{name} = {value}", text)
        assert count == 1, f"[tool.uv-guide] has no {name}"
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


@pytest.fixture
def run_page(tmp_path: Path):
    """Copy a fixture page into tmp_path and run the harness on it; returns a Run."""

    def run(
        name: str,
        *args: str,
        page: Path | None = None,
        env: dict[str, str] | None = None,
        config: Path = REPO / "pyproject.toml",
    ) -> Run:
        if page is None:
            page = tmp_path / Path(name).name
            shutil.copy(FIXTURES / name, page)
        report = tmp_path / "report.json"
        # Sandboxes go under the test's own TMPDIR, so leftovers are this test's alone.
        sandboxes = tmp_path / "sandboxes"
        sandboxes.mkdir(exist_ok=True)
        report.unlink(missing_ok=True)
        plugins_off = RECORDING_PAGES_ONLY if "--update-examples" in args else PAGES_ONLY
        returncode, output = run_pytest(
            ["-c", str(config), "--rootdir", str(tmp_path), "-p", "no:xdist", "-p", "no:randomly",
             *plugins_off, "--examples-report", str(report), str(page), *args],
            cwd=tmp_path, timeout=600,
            env={**os.environ, "TMPDIR": str(sandboxes), **(env or {})},
        )  # fmt: skip
        data = json.loads(report.read_text()) if report.exists() else {"blocks": []}
        return Run(returncode, output, data)

    return run
