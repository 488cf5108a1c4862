"""One pytest run of the guide: its options, the uv it tests, how it isolates pages, and the
sessions of its pages.

The plugin registers one `GuideRun` per pytest config; nothing about a run lives in a module
global. The uv under test is resolved on first use, so tests that only lex pages never start it.
Under xdist the controller names the run (`workerinput`), so its workers share one id and one
ledger of started pages.
"""

from __future__ import annotations

import atexit
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from .blocks import Block, PageOptions, Platform, current_platform
from .cache_daemons import CLOSED_PORT
from .isolation import Isolation, IsolationError, choose
from .package_cache import IndexProxy, system_bundle
from .page_rewrite import apply
from .page_session import PageSession
from .run_ledger import PageEntry, RunLedger
from .sandbox import Sandbox, SandboxError, sandbox_base
from .settings import Settings, load
from .uv_binary import Uv, UvError, pinned_uv_path, resolve

RUN_ID = "uvguide_run_id"
STARTED_AT = "uvguide_started_at"


class GuideRun:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        root = config.inipath.parent if config.inipath else config.rootpath
        self.settings: Settings = load(root)
        # Record mode reuses pytest-examples' `--update-examples` option.
        self.update = bool(config.getoption("update_examples", default=False))
        report = config.getoption("examples_report")
        self.report_path = Path(report) if report else self.settings.build / "examples-report.json"
        shared: dict[str, Any] = getattr(config, "workerinput", {})
        self.id: str = shared.get(RUN_ID) or uuid.uuid4().hex[:12]
        self.started_at: str = shared.get(STARTED_AT) or datetime.now(UTC).isoformat(
            timespec="seconds"
        )
        self.worker = shared.get("workerid", "main")
        self.started = time.perf_counter()
        self.ledger = RunLedger(sandbox_base() / f"uvdoc-run-{self.id}")
        self._open: dict[str, PageSession] = {}
        atexit.register(self.close_all)
        # SIGTERM (CI cancelling a job) takes the same path as Ctrl-C: the running command's
        # process group is killed, the report so far is written, and no sandbox is left behind.
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, _interrupt)

    def share_with(self, workerinput: dict[str, Any]) -> None:
        """What a worker needs to be part of this run."""
        workerinput[RUN_ID] = self.id
        workerinput[STARTED_AT] = self.started_at

    @cached_property
    def uv(self) -> Uv:
        option = self.config.getoption("uv_binary")
        try:
            uv = resolve(Path(option) if option else pinned_uv_path())
        except UvError as error:
            pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)
        # Only a drift run (an explicit --uv-binary) may test another uv than the pin.
        if not option and uv.version != self.settings.uv_version:
            pytest.exit(
                f"{uv.path} is uv {uv.version}, but the pages are pinned to uv "
                f"{self.settings.uv_version} (pyproject.toml, group pinned-uv). "
                "Run through `nox -s examples`.",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
        return uv

    @cached_property
    def platform(self) -> Platform:
        """The platform whose blocks run; the others are argument-checked."""
        return Platform(self.config.getoption("platform") or current_platform())

    @cached_property
    def isolation(self) -> Isolation:
        try:
            return choose(self.config.getoption("isolation"))
        except IsolationError as error:
            pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)

    @cached_property
    def page_variables(self) -> dict[str, str]:
        """`{{ uv_version }}` means the uv under test, so a drift run against another uv does
        not report every `uv --version` line as drift."""
        return {**self.settings.page_variables(), "uv_version": self.uv.version}

    def page_name(self, path: Path) -> str:
        """A page as the report names it: relative to the project when it is inside it."""
        try:
            return path.resolve().relative_to(self.settings.root).as_posix()
        except ValueError:
            return path.as_posix()

    @cached_property
    def index_proxy(self) -> IndexProxy | None:
        """The local package cache pages reach the index through, if this run has one."""
        url, bundle = self.config.getoption("index_proxy"), self.config.getoption("index_ca")
        return IndexProxy(url, Path(bundle)) if url and bundle else None

    @cached_property
    def direct_network(self) -> IndexProxy | None:
        """How a page that shows network behaviour reaches the index: directly, or during a
        simulated outage not at all (a proxy on a closed port)."""
        if self.config.getoption("index_outage"):
            return IndexProxy(CLOSED_PORT, system_bundle())
        return None

    def open_page(self, page: str, options: PageOptions, blocks: list[Block]) -> PageSession:
        settings = self.settings
        timeouts = {
            "block_timeout": settings.block_timeout,
            "page_timeout": settings.page_timeout,
            "update": self.update,
            "platform": self.platform,
            "uv": self.uv.path,
            "stop_at_failure": bool(self.config.getoption("stop_page_at_failure")),
        }
        if (before := self.ledger.started_before(page)) is not None:
            # Its worker crashed: the rest of the page is reported, never re-run from scratch.
            lost = (
                f"this page's session was lost when worker {before.worker} crashed while "
                f"running its line {before.line}"
            )
            session = PageSession(None, lost=lost, **timeouts)
        else:
            try:
                sandbox = self._sandbox(options)
                first_run = self._first_run(options, blocks, timeouts) if self.update else None
            except SandboxError as error:
                session = PageSession(
                    None, lost=f"its sandbox could not start: {error}", **timeouts
                )
            else:
                session = PageSession(sandbox, **timeouts)
                session.first_run = first_run
        self._open[page] = session
        self.note(page, 0)
        return session

    def _sandbox(self, options: PageOptions) -> Sandbox:
        return Sandbox(
            self.uv.path,
            exclude_newer=self.settings.exclude_newer,
            isolation=self.isolation,
            limits=self.settings.limits,
            index_proxy=self.direct_network if options.direct_network else self.index_proxy,
        )

    def _first_run(
        self, options: PageOptions, blocks: list[Block], timeouts: dict[str, Any]
    ) -> dict[tuple[int, int], list[str]]:
        """Record mode: run the page once on its own first, to see what changes between runs."""
        first = PageSession(self._sandbox(options), **{**timeouts, "update": False})
        try:
            for block in blocks:
                first.evaluate(block)
        finally:
            first.close()
        return first.outputs

    def note(self, page: str, line: int) -> None:
        """Write down which block of the page is running (read only if this worker crashes)."""
        session = self._open[page]
        sandbox = session.sandbox_or_none
        if sandbox is None:
            return  # a lost page keeps the entry of the worker that crashed running it
        cgroup = sandbox.memory.cgroup if sandbox and sandbox.memory else None
        self.ledger.note(
            PageEntry(
                page=page,
                worker=self.worker,
                sandbox=str(sandbox.root) if sandbox else "",
                cgroup=str(cgroup) if cgroup else None,
                line=line,
            )
        )

    def close_page(self, page: str, path: Path, digest: str) -> None:
        session = self._open.pop(page, None)
        if session is None:
            return
        session.close()
        if session.edits:
            apply(path, digest, session.edits, self.uv.version)

    def close_all(self) -> None:
        """Remove every sandbox still open: an interrupted run cleans up after itself."""
        for session in self._open.values():
            session.close()
        self._open.clear()

    def finish(self) -> list[str]:
        """At the end of the whole run (controller): remove what crashed workers left."""
        self.close_all()
        # Workers leave the ledger to the controller, which outlives them.
        if hasattr(self.config, "workerinput"):
            return []
        return self.ledger.clean_up()


def _interrupt(signum: int, frame: object) -> None:
    # Only the first signal interrupts. nox follows Ctrl-C with SIGTERM 0.3 s later: raised
    # again while pytest is still handling the first, it would skip marking the run interrupted.
    for later in (signal.SIGINT, signal.SIGTERM):
        signal.signal(later, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")
