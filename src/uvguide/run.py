"""One pytest run of the guide: its options, the uv it tests, and the sessions of its pages.

The plugin registers one `GuideRun` per pytest config; nothing about a run lives in a module
global. The uv under test is resolved on first use, so tests that only lex pages never start it.
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

import pytest

from .page_rewrite import apply
from .page_session import PageSession
from .sandbox import Sandbox
from .settings import Settings, load
from .uv_binary import Uv, UvError, pinned_uv_path, resolve


class GuideRun:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        root = config.inipath.parent if config.inipath else config.rootpath
        self.settings: Settings = load(root)
        # Record mode reuses pytest-examples' `--update-examples` option.
        self.update = bool(config.getoption("update_examples", default=False))
        report = config.getoption("examples_report")
        self.report_path = Path(report) if report else self.settings.build / "examples-report.json"
        self.id = uuid.uuid4().hex[:12]
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.started = time.perf_counter()
        self._open: dict[str, PageSession] = {}
        atexit.register(self.close_all)
        # SIGTERM (CI cancelling a job) takes the same path as Ctrl-C: the running command's
        # process group is killed, the report so far is written, and no sandbox is left behind.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)

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

    def open_page(self, page: str) -> PageSession:
        sandbox = Sandbox(self.uv.path, exclude_newer=self.settings.exclude_newer)
        session = PageSession(
            sandbox, block_timeout=self.settings.block_timeout, update=self.update
        )
        self._open[page] = session
        return session

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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
