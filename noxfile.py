"""Sessions: `docs`, `serve`, `examples`, `tests`, `lint`. `nox` alone runs what CI runs.

Every session installs the project's tools from `uv.lock` with `--locked`, so a run here and a
run in CI use the same versions, including the pinned uv the examples are tested against.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "docs", "tests", "examples"]
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    """Sync the session's venv to exactly the locked versions of these dependency groups."""
    args = ["uv", "sync", "--locked", "--no-install-project"]
    for group in groups:
        args += ["--only-group", group]
    session.run_install(
        *args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}, silent=True
    )


def xdist_args() -> list[str]:
    # One page is one shell session: keep all of a page's blocks on one worker.
    return ["-n", os.environ.get("EXAMPLES_WORKERS", "auto"), "--dist", "loadfile"]


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site into site/; a macro error or a broken internal link fails the build."""
    install(session, "docs")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", *session.posargs)


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Live preview on http://127.0.0.1:8000."""
    install(session, "docs")
    session.run("mkdocs", "serve", *session.posargs)


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run every block of docs/ against the pinned uv. Extra args go to pytest, for example
    `nox -s examples -- docs/pip-interface.md` or `nox -s examples -- --update-examples`."""
    install(session, "test")
    args = session.posargs or ["docs"]
    session.run("pytest", *xdist_args(), "-rfEs", *args)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The harness's own tests, on small fixture pages."""
    install(session, "test")
    session.run("pytest", *xdist_args(), "tests", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff on the project's Python; ruff lint and format on every Python block of the pages."""
    install(session, "test", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("pytest", "-q", "tests/lint_python_blocks.py", *session.posargs)
