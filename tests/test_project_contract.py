"""The contract CI and contributors rely on: one pin, one test command."""

from __future__ import annotations

import re
import subprocess

from harness.settings import REPO_ROOT, load


def readme_test_command() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the full test suite", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.DOTALL)[1].strip()


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_test_command() in ci.splitlines()


def test_the_uv_pin_is_written_in_one_place():
    version = load().uv_version
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    holders = [
        path
        for path in tracked
        if path != "uv.lock"  # generated from the pin by `uv lock`
        and (REPO_ROOT / path).is_file()
        and re.search(
            rf"\buv==?{re.escape(version)}\b|\buv {re.escape(version)}\b",
            (REPO_ROOT / path).read_text(encoding="utf-8", errors="replace"),
        )
    ]
    assert holders == ["pyproject.toml"]
