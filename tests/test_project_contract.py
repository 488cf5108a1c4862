"""The contract CI and contributors rely on: one pin, one test command."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO, SETTINGS


def readme_test_command() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the full test suite", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.DOTALL)[1].strip()


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_test_command() in ci.splitlines()


# Sample files a reader copies must name a uv version literally (a Dockerfile's image tag, a
# workflow's setup-uv version, a build backend bound): macros do not reach included files.
SAMPLE_PINS = re.compile(
    r"ghcr\.io/astral-sh/uv:(?P<a>[\w.]+)|setup-uv@\S+\s+with:\s+version:\s*\"(?P<b>[\w.]+)\""
    r"|uv_build>=(?P<c>\d+\.\d+\.\d+)"
)


def tracked_files() -> list[str]:
    return subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip


def test_the_uv_pin_is_written_in_one_place():
    """Outside pyproject.toml (and the generated uv.lock), the pinned version appears only in
    sample files under snippets/, and every uv version those samples name is the pin."""
    version = SETTINGS.uv_version
    holders = [
        path
        for path in tracked_files()
        if path != "uv.lock"
        and (REPO / path).is_file()
        and version in (REPO / path).read_text(encoding="utf-8", errors="replace")
    ]
    assert [p for p in holders if not p.startswith(("snippets/", "docs/data/"))] == [
        "pyproject.toml"
    ]
    for path in tracked_files():
        if path.startswith("snippets/") and (REPO / path).is_file():
            text = (REPO / path).read_text(encoding="utf-8", errors="replace")
            for match in SAMPLE_PINS.finditer(text):
                named = next(value for value in match.groups() if value)
                assert named == version, f"{path}: names uv {named}, the pin is {version}"
