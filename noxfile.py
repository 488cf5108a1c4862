"""Sessions: `docs`, `serve`, `examples`, `tests`, `lint`, ... `nox` alone runs what CI runs: the
`ci` session, every default session in two streams side by side.

Every session installs the project's tools from `uv.lock` with `--locked`, so a run here and a
run in CI use the same versions, including the pinned uv the examples are tested against.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nox

# Some machines set PYTHONDONTWRITEBYTECODE (the one this guide is built on does): every Python
# process then compiles each module it imports, every time, and the suite starts hundreds (a
# pytest per fixture page, a worker per core). Writing the bytecode once took
# `nox -s tests` from 108 to 85 CPU-seconds. It goes to __pycache__/ (ignored) and to .nox/.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["ci"]
# Two streams side by side, so that one's waits (the index, a browser, a subprocess) are the
# other's CPU time. `docs` is not among them: `browser` makes the same strict build first. The
# short sessions go with the pages, whose stream ended over a minute before the other.
STREAMS = (("examples", "mutate", "lint", "zensical"), ("tests", "browser"))
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    """Sync the session's venv to exactly the locked versions of these dependency groups, plus
    the project itself (the `uvguide` package: harness, site plugin, benchmark), editable."""
    args = ["uv", "sync", "--locked", "--no-default-groups"]
    for group in groups:
        args += ["--group", group]
    session.run_install(
        *args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}, silent=True
    )


def xdist_args(workers: str) -> list[str]:
    # One page is one shell session: keep all of a page's blocks on one worker.
    return ["-n", os.environ.get("EXAMPLES_WORKERS", workers), "--dist", "loadfile"]


# Pages wait on the network far more than they compute: twice as many workers as cores measured
# faster (nox -s examples, warm package cache, 2 cores: 2 workers 78 s, 4 workers 54 s). The
# harness's tests wait too, on their fixture pages' sandboxes and the package cache's daemons
# (nox -s tests, 2 cores: 2 workers 40 s with the cores idle 34 CPU-s of it, 4 workers 30 s).
PAGE_WORKERS = str(2 * (os.cpu_count() or 1))
EXAMPLES_REPORT = "build/examples-report.json"  # the harness's default report path
STRICT_CI = bool(os.environ.get("CI")) and sys.platform == "linux"


def has_paths(args: list[str]) -> bool:
    """Whether pytest arguments name something to collect (options and their values do not)."""
    values = {"-k", "-m", "-n", "--dist", "--uv-binary", "--examples-report", "--platform"}
    after_option = False
    for arg in args:
        if not arg.startswith("-") and not after_option:
            return True
        after_option = arg in values
    return False


def isolation_args() -> list[str]:
    """CI on Linux must run pages in namespaces; elsewhere they are used where available."""
    return [f"--isolation={'namespaces' if STRICT_CI else 'auto'}"]


def through_package_cache(*command: str) -> list[str]:
    """The command, with pages reaching the index through the local package cache (squid and
    nginx), which CI on Linux must have."""
    return ["python", "-m", "uvguide.package_cache", *(["--require"] if STRICT_CI else []),
            "--", *command]  # fmt: skip


@nox.session(venv_backend="none")
def ci(session: nox.Session) -> None:
    """Every session CI runs, as two nox processes side by side (examples, mutate, lint,
    zensical; tests, browser, which builds the site as docs does). Each stream's output goes to
    build/ci/<stream>.log and is printed when the stream ends; fails when either fails."""
    logs = Path("build/ci")
    logs.mkdir(parents=True, exist_ok=True)
    running = {}
    for stream in STREAMS:
        log = logs / f"{'-'.join(stream)}.log"
        with log.open("wb") as out:
            command = [sys.executable, "-m", "nox", "-s", *stream]
            running[stream] = (subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT), log)
    started, failed = time.monotonic(), []
    try:
        while running:
            for stream, (process, log) in list(running.items()):
                if process.poll() is None:
                    continue
                del running[stream]
                print(log.read_text(errors="replace"), flush=True)
                elapsed = time.monotonic() - started
                session.log(f"{' '.join(stream)}: exit {process.returncode} after {elapsed:.0f} s")
                if process.returncode:
                    failed.append(" ".join(stream))
            time.sleep(0.5)
    finally:
        for process, _ in running.values():  # interrupted: stop the other stream too
            process.terminate()
            process.wait()
    if failed:
        session.error(f"failed: {'; '.join(failed)}")


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
    # Options alone (`-- --update-examples`) still run the guide: only paths replace `docs`.
    args = [*session.posargs, *([] if has_paths(session.posargs) else ["docs"])]
    session.run(
        *through_package_cache(
            "pytest", *xdist_args(PAGE_WORKERS), *isolation_args(), "-rfEs", *args
        )
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The harness's own tests, on small fixture pages."""
    install(session, "test")
    # Unlike a page's blocks, tests share nothing: each goes to the next free worker. By file,
    # the package cache's tests (a minute together) all ran on one worker (alone on 2 cores:
    # 67 and 68 s by file, 58 to 66 s test by test).
    session.run(
        "pytest", "-n", PAGE_WORKERS, "--dist", "worksteal", "tests", "--ignore=tests/browser",
        *session.posargs,
    )  # fmt: skip


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """pip vs uv on the guide's requirement files (local index, interleaved runs) into
    docs/data/benchmarks.json, then the output matcher on large outputs, then the harness's own
    cost from the last examples report.
    `nox -s bench -- --runs 3 --sets mlx` for a shorter run."""
    install(session, "bench")
    session.run("python", "-m", "uvguide.bench", *session.posargs)
    session.run("python", "-m", "uvguide.bench.matcher_cost")
    if Path(EXAMPLES_REPORT).is_file():
        session.run("python", "-m", "uvguide.bench.harness_cost")
    else:
        session.log(f"no {EXAMPLES_REPORT} yet: run `nox -s examples` for harness figures")


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Build the site, serve it on localhost and check it in Chromium's headless shell (Debian's
    /usr/bin/chromium-headless-shell, or $CHROMIUM): clean loads, localhost-only requests,
    search, copy, tabs, axe-core."""
    # Chromium's headless shell: the same Blink as the browser (the screenshots are identical to
    # the byte) without the desktop browser around it, which cost a fifth of the session's CPU.
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
    if not Path(chromium).is_file():
        message = (
            f"no Chromium at {chromium}: `apt-get install chromium-headless-shell` (CI installs it)"
        )
        if os.environ.get("CI"):
            session.error(message)
        session.skip(message)
    install(session, "docs", "test", "browser")
    if not Path("tests/browser/node_modules/axe-core").is_dir():
        session.run("npm", "ci", "--silent", "--prefix", "tests/browser", external=True)
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", "site")
    session.run("python", "-m", "uvguide.site.links", "site")
    # One test per page: spread them over the workers one by one.
    session.run(
        "pytest", "-n", "auto", "--dist", "load", "tests/browser", *session.posargs,
        env={"CHROMIUM": chromium},
    )  # fmt: skip


@nox.session(python=PYTHON)
def zensical(session: nox.Session) -> None:
    """Non-blocking: does the site build with Zensical, Material's successor, and what breaks?"""
    install(session, "docs", "zensical")
    session.run("python", "-m", "uvguide.site.zensical_check")


@nox.session(python=PYTHON)
def drift(session: nox.Session) -> None:
    """Run the guide against another uv without touching the pin: `nox -s drift -- 0.12.24`
    (or `latest`). Writes build/drift-<version>.json and .md; fails when anything drifted."""
    if not session.posargs:
        session.error("name a uv version: nox -s drift -- 0.12.24 (or latest)")
    wanted, *pytest_args = session.posargs
    compat_args = [arg for arg in pytest_args if arg == "--write-compat"]
    pytest_args = [arg for arg in pytest_args if arg != "--write-compat"]
    install(session, "test")
    target = Path(session.create_tmp()) / f"uv-{wanted}"
    session.run_install("uv", "venv", "--quiet", "--allow-existing", str(target), silent=True)
    requirement = "uv" if wanted == "latest" else f"uv=={wanted}"
    session.run_install(
        "uv", "pip", "install", "--quiet", "--python", str(target), requirement, silent=True
    )
    uv = target / "bin" / "uv"
    version = session.run("python", "-m", "uvguide.uv_binary", str(uv), silent=True).strip()
    report = Path("build") / f"drift-{version}-examples.json"
    session.run(
        *through_package_cache(
            "pytest",
            *xdist_args(PAGE_WORKERS),
            *isolation_args(),
            "-q",
            "--no-header",
            f"--uv-binary={uv}",
            f"--examples-report={report}",
            *pytest_args,
            *([] if has_paths(pytest_args) else ["docs"]),
        ),
        success_codes=[0, 1],
    )
    # `--write-compat` (among the arguments) updates the compatibility page's data.
    session.run("python", "-m", "uvguide.drift", str(report), *compat_args)


# The sample CI runs: spread over every kind of mutant, the same mutants every time (the seed).
MUTATION_SAMPLE = "24"


@nox.session(python=PYTHON)
def mutate(session: nox.Session) -> None:
    """Mutation testing of the guide: change one thing on a page, run it, see if it fails.
    By default the small sample CI runs; `nox -s mutate -- --all` for every mutant. Writes
    build/mutation-report.json."""
    install(session, "test")
    args = session.posargs or ["--sample", MUTATION_SAMPLE]
    # Pages the last examples run passed unchanged need no baseline run of their own.
    if Path(EXAMPLES_REPORT).is_file() and "--baseline" not in args:
        args = [*args, "--baseline", EXAMPLES_REPORT]
    session.run(
        *through_package_cache("python", "-m", "uvguide.mutation", "--workers", PAGE_WORKERS, *args)
    )


@nox.session(python=PYTHON)
def upgrade(session: nox.Session) -> None:
    """Move the guide to another uv: `nox -s upgrade -- 0.14.0` (or latest). Moves the pin and
    the sample files, relocks, records the guide, reruns it, and writes build/upgrade-<v>.md;
    succeeds only when the rerun is green."""
    if not session.posargs:
        session.error("name a uv version: nox -s upgrade -- 0.14.0 (or latest)")
    install(session, "test")
    # A silent run returns stdout and stderr together: the files moved, then the version.
    *moved, version = session.run(
        "python", "-m", "uvguide.upgrade", "prepare", session.posargs[0], silent=True
    ).splitlines()
    for line in moved:
        session.log(line)
    session.run_install("uv", "lock", silent=True)
    install(session, "test")  # the new pin, from the new lock
    runs = {name: f"build/upgrade-{version}-{name}.json" for name in ("record", "plain")}
    for name, extra in (("record", ["--update-examples"]), ("plain", [])):
        session.run(
            *through_package_cache(
                "pytest", *xdist_args(PAGE_WORKERS), *isolation_args(), "-q", "--no-header",
                *extra, f"--examples-report={runs[name]}", "docs",
            ),
            success_codes=[0, 1],
        )  # fmt: skip
    session.run("python", "-m", "uvguide.upgrade", "report", version, runs["record"], runs["plain"])


@nox.session(python=PYTHON)
def summary(session: nox.Session) -> None:
    """The last examples run in Markdown: where it ran, what it did not run and why."""
    install(session)
    session.run("python", "-m", "uvguide.run_summary", silent=False)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff on the project's Python; ruff lint and format on every Python block of the pages."""
    install(session, "test", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("pytest", "-q", "tests/lint_python_blocks.py", *session.posargs)
