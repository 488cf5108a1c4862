"""The contract CI and contributors rely on: one pin, one test command."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO, SETTINGS
from uvguide import pins


def readme_test_command() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the full test suite", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.DOTALL)[1].strip()


def test_ci_runs_the_readme_test_command_verbatim():
    """Each line of the command, in its order (CI runs the first while apt installs)."""
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    found = [ci.index(line) if line in ci else None for line in readme_test_command().splitlines()]
    assert None not in found and found == sorted(found), found


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
    samples = pins.sample_files(REPO)
    assert samples, "the sample files that name uv are found"
    for path in samples:
        for named in pins.named_versions(path.read_text(encoding="utf-8")):
            assert named == version, f"{path}: names uv {named}, the pin is {version}"


def test_moving_the_pin_moves_every_sample_with_it():
    sample = (
        "COPY --from=ghcr.io/astral-sh/uv:1.2.3 /uv /bin/\n"
        '- uses: astral-sh/setup-uv@v7\n  with:\n    version: "1.2.3"\n'
        'requires = ["uv_build>=1.2.3,<1.3.0"]\nrequires = ["uv_build>=1.0,<1.3"]\n'
    )
    moved = pins.bump(sample, "1.2.3", "1.4.2")
    assert pins.named_versions(moved) == ["1.4.2", "1.4.2", "1.4.2"]
    assert "uv_build>=1.4.2,<1.5.0" in moved and "uv_build>=1.0,<1.5" in moved
    # Back to an older line: a bound naming the pin's line follows it, one above it comes down.
    older = pins.bump(sample + 'requires = ["uv_build>=1.2,<1.3"]\n', "1.2.3", "1.1.7")
    assert "uv_build>=1.1.7,<1.2.0" in older and "uv_build>=1.1,<1.2" in older
    assert "uv_build>=1.0,<1.2" in older
    assert pins.bump('requires = ["uv_build>=1.2,<1.3"]', "1.2.3", "0.9.1") == (
        'requires = ["uv_build>=0.9,<0.10"]'
    )
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'pinned-uv = ["uv==1.4.2"]' in pins.set_pin(pyproject, "1.4.2")
