"""pytest plugin: Sybil collects `docs/**/*.md`, one sandbox per page, and the report.

Enabled from `pyproject.toml` (`-p harness.plugin`). Pages under `docs/` are collected whenever
pytest walks them; any other Markdown file only when named on the command line (the harness's
own fixture pages are broken on purpose).
"""

from __future__ import annotations

import atexit
import signal
import subprocess
import threading
import time
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Region, Sybil
from sybil.example import Example, SybilFailure
from sybil.integration.pytest import SybilFile, SybilItem

from . import no_run, record, report, transcript
from .classify import Failure
from .evaluators import BlockError, BlockFailure, BlockSkipped, Outcome, PageSession
from .lexer import PageLexer
from .model import Block, Kind, Mode, Problem
from .sandbox import Sandbox
from .settings import REPO_ROOT, load, page_variables

RECORDS = "__harness_records__"
PAGE = "__harness_page__"
SESSION = "__harness_session__"


class Harness:
    """Run-wide state: the uv under test and the options this run was given."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.settings = load()
        self.update = bool(config.getoption("update_examples", default=False))
        self.report_path = Path(config.getoption("examples_report"))
        self._uv: tuple[Path, str] | None = None

    @property
    def uv(self) -> Path:
        return self._tested()[0]

    @property
    def uv_version(self) -> str:
        return self._tested()[1]

    @property
    def variables(self) -> dict[str, str]:
        """Page variables, with `uv_version` meaning the uv under test (so a drift run against
        another uv does not report every `uv --version` line as drift)."""
        return {**page_variables(), "uv_version": self.uv_version}

    def _tested(self) -> tuple[Path, str]:
        if self._uv is None:
            option = self.config.getoption("uv_binary")
            if option:
                uv = Path(option).resolve()
            else:
                from uv import find_uv_bin  # the pinned uv, installed from the lock

                uv = Path(find_uv_bin()).resolve()
            out = subprocess.run([uv, "--version"], capture_output=True, text=True, check=False)
            version = out.stdout.split()[1] if out.returncode == 0 and out.stdout else "?"
            # Only a drift run (an explicit --uv-binary) may test another uv than the pin.
            if not option and version != self.settings.uv_version:
                pytest.exit(
                    f"{uv} is uv {version}, but the pages are pinned to uv "
                    f"{self.settings.uv_version} (pyproject.toml, group pinned-uv). "
                    "Run through `nox -s examples`.",
                    returncode=pytest.ExitCode.USAGE_ERROR,
                )
            self._uv = (uv, version)
        return self._uv


HARNESS: Harness | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uv-guide examples")
    group.addoption("--uv-binary", default=None, help="uv to test with (default: the pinned one)")
    group.addoption(
        "--examples-report",
        default=str(REPO_ROOT / "build" / "examples-report.json"),
        help="where the JSON report of this run goes",
    )


def pytest_configure(config: pytest.Config) -> None:
    global HARNESS
    HARNESS = Harness(config)
    config.pluginmanager.register(ReportCollector(HARNESS), "harness-report")
    # SIGTERM (CI cancelling a job) takes the same path as Ctrl-C: the running command's process
    # group is killed, the report so far is written, and no sandbox is left behind.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
    atexit.register(Sandbox.remove_all)


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# -- collection --------------------------------------------------------------------------------


class PageDocument(Document):
    """A Markdown page; undecodable bytes become an error on their line, not a traceback."""

    @classmethod
    def parse(cls, path: str, *parsers: Any, encoding: str = "utf-8") -> Document:
        raw = Path(path).read_bytes()
        try:
            text = raw.decode(encoding)
            bad_line = None
        except UnicodeDecodeError as error:
            text = raw.decode(encoding, errors="replace")
            bad_line = raw[: error.start].count(b"\n") + 1
        document = cls(text, path)
        document.namespace[PAGE] = (Path(path), record.digest(text), bad_line)
        for parser in parsers:
            for region in parser(document):
                document.add(region)
        return document


def page_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def lex(path: Path, text: str) -> Iterable[Block | Problem]:
    assert HARNESS is not None
    lexer = PageLexer(Path(page_name(path)), REPO_ROOT / "snippets", HARNESS.variables)
    return lexer.blocks(text)


def parse_page(document: Document) -> Iterable[Region]:
    path, _, bad_line = document.namespace[PAGE]
    starts = [0]
    for line in document.text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    if bad_line is not None:
        problem = Problem(Path(page_name(path)), bad_line, "not valid UTF-8")
        yield Region(starts[bad_line - 1], starts[bad_line - 1] + 1, problem, evaluate)
    for item in lex(path, document.text):
        if isinstance(item, Problem):
            if item.line == bad_line:
                continue
            start = starts[item.line - 1]
            yield Region(start, start + 1, item, evaluate)
        elif item.kind is not Kind.DISPLAY:
            yield Region(item.start, item.end, item, evaluate)


SYBIL = Sybil(
    parsers=[parse_page],
    patterns=["*.md"],
    document_types={".md": PageDocument},
    setup=lambda namespace: start_page(namespace),
    teardown=lambda namespace: finish_page(namespace),
)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SybilFile | None:
    if file_path.suffix != ".md":
        return None
    named = any(Path(arg.split("::")[0]).resolve() == file_path for arg in parent.config.args)
    if named or file_path.is_relative_to(REPO_ROOT / "docs"):
        return SybilFile.from_parent(parent, path=file_path, sybils=[SYBIL])
    return None


# -- evaluation --------------------------------------------------------------------------------


def start_page(namespace: dict[str, Any]) -> None:
    assert HARNESS is not None
    namespace[RECORDS] = {}
    sandbox = Sandbox(HARNESS.uv, HARNESS.settings)
    namespace[SESSION] = PageSession(sandbox, HARNESS.settings, update=HARNESS.update)


def finish_page(namespace: dict[str, Any]) -> None:
    session: PageSession | None = namespace.pop(SESSION, None)
    if session is None:
        return
    session.sandbox.remove()
    if session.edits:
        path, digest, _ = namespace[PAGE]
        assert HARNESS is not None
        record.apply(path, digest, session.edits, HARNESS.variables)


def evaluate(example: Example) -> None:
    item = example.parsed
    started = time.perf_counter()
    if isinstance(item, Problem):
        entry = base_record(None, item.page.as_posix(), item.line)
        entry.update(outcome="error", message=item.message, duration_s=0.0)
        example.namespace[RECORDS][example.line] = entry
        raise SybilFailure(example, f"{item}")
    block: Block = item
    session: PageSession = example.namespace[SESSION]
    entry = base_record(block, block.page.as_posix(), block.line)
    outcome = Outcome("error")
    try:
        outcome = session.evaluate(block)
    except BlockSkipped as skipped:
        outcome = Outcome("skipped", skipped.reason)
        pytest.skip(f"{block.page}:{block.line}: {skipped.reason}")
    except BlockFailure as failure:
        environment = failure.failure is Failure.ENVIRONMENT
        outcome = Outcome("error" if environment else "failed", str(failure))
        outcome.extra["failure_class"] = failure.failure.value
        raise SybilFailure(example, str(failure)) from None
    except BlockError as error:
        outcome = Outcome("error", str(error), extra={"failure_class": "timeout"})
        raise SybilFailure(example, str(error)) from None
    finally:
        duration = time.perf_counter() - started
        entry.update(
            outcome=outcome.outcome,
            reason=block.reason,
            message=outcome.message[:2000] if outcome.outcome in ("failed", "error") else "",
            duration_s=round(duration, 4),
            command_time_s=round(outcome.command_time_s, 4),
            overhead_s=round(max(duration - outcome.command_time_s, 0.0), 4),
            recorded=outcome.recorded,
            **uv_counts(block, ran=block.mode not in (Mode.NO_RUN, Mode.SKIP)),
            **outcome.extra,
        )
        example.namespace[RECORDS][example.line] = entry


def base_record(block: Block | None, page: str, line: int) -> report.Record:
    return {
        "page": page,
        "line": line,
        "language": block.language if block else "",
        "kind": block.kind.value if block else "page",
        "mode": block.mode.value if block else "run",
        "outcome": "error",
        "reason": "",
        "duration_s": 0.0,
    }


def uv_counts(block: Block, *, ran: bool) -> dict[str, int]:
    """How many command lines of the block call uv, and how many of those ran for real."""
    if block.kind is Kind.CONSOLE:
        try:
            texts = [command.text for command in transcript.parse(block.body)]
        except transcript.TranscriptError:
            texts = []
    elif block.kind is Kind.SCRIPT:
        texts = block.body.splitlines()
    else:
        texts = []
    count = sum(1 for text in texts if no_run.uv_invocations(text))
    return {"uv_commands": count, "uv_commands_run": count if ran else 0}


def display_record(block: Block, page: str) -> report.Record:
    entry = base_record(block, page, block.line)
    entry.update(
        mode=Mode.SKIP.value,
        outcome="skipped",
        reason=f"display only: a {block.language} block shows text, it runs nothing",
    )
    return entry


def is_filtered(config: pytest.Config) -> bool:
    """True when this run deliberately selects a subset of blocks (-k, -m, -x, ::node ids)."""
    options = ("keyword", "markexpr", "deselect", "maxfail", "lf")
    return any(config.getoption(name, default=None) for name in options) or any(
        "::" in arg for arg in config.args
    )


# -- reporting ---------------------------------------------------------------------------------


class ReportCollector:
    """Gathers block records (from xdist workers too) and writes the report at the end."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.records: dict[tuple[str, int], report.Record] = {}
        self.started = time.perf_counter()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        if isinstance(item, SybilItem) and call.when == "call":
            entry = item.example.namespace.get(RECORDS, {}).pop(item.example.line, None)
            if entry is not None:
                outcome.get_result().user_properties.append(("harness_block", entry))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == "harness_block":
                self.records[(value["page"], value["line"])] = value

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(session.config, "workerinput") or not self.records:
            return  # xdist workers send their records to the controller
        dropped = self.account_for({page for page, _ in self.records})
        report.write(
            self.harness.report_path,
            self.harness.uv_version,
            list(self.records.values()),
            wall_s=round(time.perf_counter() - self.started, 2),
            workers=getattr(session.config.option, "numprocesses", None) or 1,
        )
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if dropped and not interrupted and not is_filtered(session.config):
            session.config.get_terminal_writer().line(
                "blocks neither run, checked nor skipped:\n" + "\n".join(dropped), red=True
            )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def account_for(self, pages: Iterable[str]) -> list[str]:
        """Record the display-only blocks of the pages run (they are not test items) and return
        the blocks that still have no record: the silently dropped ones."""
        missing = []
        for page in sorted(pages):
            path = REPO_ROOT / page
            for item in lex(path, path.read_bytes().decode("utf-8", errors="replace")):
                key = (page, item.line)
                if isinstance(item, Block) and item.kind is Kind.DISPLAY:
                    self.records.setdefault(key, display_record(item, page))
                elif key not in self.records:
                    missing.append(f"{page}:{item.line}")
        return missing

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.records and not hasattr(terminalreporter.config, "workerinput"):
            terminalreporter.write_line(report.summary(self.records.values()))
            terminalreporter.write_line(f"report: {page_name(self.harness.report_path)}")
