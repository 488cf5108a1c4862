"""The files CI and readers use, checked by the real linter of each format (offline binaries)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

ACTIONS = sorted(REPO.glob(".github/actions/*/action.yml"))
# Sample configuration a reader copies, each checked against its published schema.
SCHEMAS = {
    "dependabot.yml": "vendor.dependabot",
    "renovate.json": "vendor.renovate",
}
SAMPLES = sorted(path for path in REPO.glob("snippets/**/*") if path.name in SCHEMAS)
WORKFLOWS = sorted(
    [
        *(REPO / ".github" / "workflows").glob("*.yml"),
        *REPO.glob("snippets/**/workflows/*.yml"),
    ]
)
DOCKERFILES = sorted(REPO.glob("snippets/**/Dockerfile"))
SCRIPTS = sorted([REPO / ".ci" / "run", *REPO.glob("snippets/**/*.sh")])


def lint(*argv: str | Path) -> None:
    tool = shutil.which(str(argv[0]))
    assert tool, f"{argv[0]} is not installed (dependency group 'test')"
    result = subprocess.run([tool, *map(str, argv[1:])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def ids(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_there_is_something_to_lint():
    assert WORKFLOWS and DOCKERFILES and SCRIPTS and ACTIONS and len(SAMPLES) == len(SCHEMAS)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=ids)
def test_workflow_passes_actionlint(workflow: Path):
    lint("actionlint", "-no-color", workflow)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=ids)
def test_workflow_matches_its_schema(workflow: Path):
    lint("check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow)


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_composite_action_matches_its_schema(action: Path):
    lint("check-jsonschema", "--builtin-schema", "vendor.github-actions", action)


@pytest.mark.parametrize("sample", SAMPLES, ids=ids)
def test_sample_configuration_matches_its_schema(sample: Path):
    lint("check-jsonschema", "--builtin-schema", SCHEMAS[sample.name], sample)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=ids)
def test_dockerfile_passes_hadolint(dockerfile: Path):
    lint("hadolint", "--no-color", dockerfile)


@pytest.mark.parametrize("script", SCRIPTS, ids=ids)
def test_script_passes_shellcheck(script: Path):
    lint("shellcheck", script)


def test_pre_commit_config_is_valid():
    lint("pre-commit", "validate-config", REPO / ".pre-commit-config.yaml")
