"""Gathers the block results of a run, from this process or from xdist workers, with the
inventory of every page collected, and writes the report when the run ends.

The inventory comes from the same lexing pass that collected the pages: display-only blocks get
their results from it, and a block with no result at the end was silently dropped, which fails
the run. Nothing is lexed again, so a page rewritten by record mode cannot change the count.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from . import report
from .blocks import Mode
from .results import BlockResult, FailureClass, Outcome
from .run import GuideRun

BLOCK = "uvguide_block"
INVENTORY = "uvguide_inventory"
# Sybil names a block's test `<page>::line:<n>,column:<m>`.
NODE_ID = re.compile(r"^(?P<path>.+)::line:(?P<line>\d+),column:\d+$")


@dataclass
class PageInventory:
    """Every block and problem one page's lexing pass found, by line."""

    page: str
    lines: list[int]
    digest: str  # blocks.page_digest: a later run can tell whether the page is the same
    display: list[BlockResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "lines": self.lines,
            "digest": self.digest,
            "display": [result.to_json() for result in self.display],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageInventory:
        display = [BlockResult.from_json(d) for d in data["display"]]
        return cls(data["page"], data["lines"], data["digest"], display)


class ReportCollector:
    def __init__(self, run: GuideRun) -> None:
        self.run = run
        self.inventory: dict[str, PageInventory] = {}
        self.results: dict[tuple[str, int], BlockResult] = {}

    def add_inventory(self, inventory: PageInventory) -> None:
        self.inventory.setdefault(inventory.page, inventory)

    @staticmethod
    def attach(report: pytest.TestReport, result: BlockResult) -> None:
        """Send a result with its test report (xdist carries it from worker to controller)."""
        report.user_properties.append((BLOCK, result.to_json()))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        result: BlockResult | None = getattr(item, "result", None)
        if call.when == "call" and result is not None:
            self.attach(outcome.get_result(), result)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == BLOCK:
                result = BlockResult.from_json(value)
                self.results[(result.page, result.line)] = result
                return
        if report.failed and (crashed := self.crash_result(report)) is not None:
            self.results.setdefault((crashed.page, crashed.line), crashed)

    def crash_result(self, report: pytest.TestReport) -> BlockResult | None:
        """A block whose test failed without a result: its worker died running it, or its
        page could not be set up. Never left out of the report, never counted as passed."""
        match = NODE_ID.match(report.nodeid)
        if match is None:
            return None
        page = self.run.page_name(self.run.config.rootpath / match["path"])
        return BlockResult(
            page=page, line=int(match["line"]), language="", kind="unknown", mode=Mode.RUN,
            outcome=Outcome.ERROR, failure=FailureClass.CRASH,
            message=str(report.longrepr)[:2000],
        )  # fmt: skip

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        config = session.config
        if not hasattr(config, "workerinput") and self.runs_pages(config):
            # Replace the last run's report at once: it must never pass for this run's.
            self.write(workers=self.workers(config), status="running")

    def runs_pages(self, config: pytest.Config) -> bool:
        """Whether this run was asked for pages: docs/ (or part of it), or a Markdown file.
        Listing them (`--collect-only`) runs none: the last run's report stays as it was."""
        if config.option.collectonly:
            return False
        docs = self.run.settings.docs
        for arg in config.args:
            path = Path(arg.split("::")[0]).resolve()
            if path.suffix == ".md" or path.is_relative_to(docs) or docs.is_relative_to(path):
                return path.exists()
        return False

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        self.run.share_with(node.workerinput)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            # A worker hands its inventory to the controller when it shuts down.
            config.workeroutput[INVENTORY] = [i.to_json() for i in self.inventory.values()]  # type: ignore[attr-defined]
            return
        # A second signal (nox sends SIGTERM 0.3 s after Ctrl-C) must not cut the clean-up or
        # the report short; it takes effect once they are done.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.finish(session, exitstatus)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def finish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        removed = self.run.finish()
        if config.option.collectonly or not (
            self.results or self.inventory or self.runs_pages(config)
        ):
            return
        if removed:
            config.get_terminal_writer().line(f"removed sandboxes crashed workers left: {removed}")
        for inventory in self.inventory.values():
            for result in inventory.display:
                self.results.setdefault((result.page, result.line), result)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        status = "interrupted" if interrupted else "complete"
        self.write(workers=self.workers(config), status=status)
        dropped = self.dropped()
        if dropped and not interrupted and not is_filtered(config):
            config.get_terminal_writer().line(
                "blocks neither run, checked nor skipped:\n" + "\n".join(dropped), red=True
            )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        for data in getattr(node, "workeroutput", {}).get(INVENTORY, []):
            self.add_inventory(PageInventory.from_json(data))

    def dropped(self) -> list[str]:
        return [
            f"{page}:{line}"
            for page, inventory in sorted(self.inventory.items())
            for line in inventory.lines
            if (page, line) not in self.results
        ]

    @staticmethod
    def workers(config: pytest.Config) -> int:
        return getattr(config.option, "numprocesses", None) or 1

    def write(self, *, workers: int, status: str) -> None:
        run = self.run
        limits = run.settings.limits
        info = report.RunInfo(
            id=run.id,
            started_at=run.started_at,
            finished_at=None
            if status == "running"
            else datetime.now(UTC).isoformat(timespec="seconds"),
            status=status,
            uv_version=run.uv.version,
            uv_path=str(run.uv.path),
            isolation=run.isolation.value,
            platform=run.platform.value,
            limits={
                "memory_mib": limits.memory_bytes // 2**20,
                "disk_mib": limits.disk_bytes // 2**20,
                "tmp_mib": limits.tmp_bytes // 2**20,
                "output_mib": limits.output_bytes // 2**20,
                "block_timeout_s": run.settings.block_timeout,
                "page_timeout_s": run.settings.page_timeout,
            },
            workers=workers,
            wall_s=round(time.perf_counter() - run.started, 2),
            cpus=os.cpu_count(),
        )
        digests = {page: inventory.digest for page, inventory in self.inventory.items()}
        report.write(run.report_path, info, self.results.values(), digests)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.results and not hasattr(terminalreporter.config, "workerinput"):
            terminalreporter.write_line(report.summary(self.results.values()))
            terminalreporter.write_line(f"report: {self.run.page_name(self.run.report_path)}")


def is_filtered(config: pytest.Config) -> bool:
    """True when this run deliberately selects a subset of blocks (-k, -m, -x, ::node ids)."""
    options = ("keyword", "markexpr", "deselect", "maxfail", "lf")
    return any(config.getoption(name, default=None) for name in options) or any(
        "::" in arg for arg in config.args
    )
