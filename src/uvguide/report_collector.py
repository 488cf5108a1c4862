"""Gathers the block results of a run, from this process or from xdist workers, with the
inventory of every page collected, and writes the report when the run ends.

The inventory comes from the same lexing pass that collected the pages: display-only blocks get
their results from it, and a block with no result at the end was silently dropped, which fails
the run. Nothing is lexed again, so a page rewritten by record mode cannot change the count.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from . import report
from .results import BlockResult
from .run import GuideRun

BLOCK = "uvguide_block"
INVENTORY = "uvguide_inventory"


@dataclass
class PageInventory:
    """Every block and problem one page's lexing pass found, by line."""

    page: str
    lines: list[int]
    display: list[BlockResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "lines": self.lines,
            "display": [result.to_json() for result in self.display],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageInventory:
        return cls(data["page"], data["lines"], [BlockResult.from_json(d) for d in data["display"]])


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

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            # A worker hands its inventory to the controller when it shuts down.
            config.workeroutput[INVENTORY] = [i.to_json() for i in self.inventory.values()]  # type: ignore[attr-defined]
            return
        if not self.results and not self.inventory:
            return
        for inventory in self.inventory.values():
            for result in inventory.display:
                self.results.setdefault((result.page, result.line), result)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        self.write(
            workers=getattr(config.option, "numprocesses", None) or 1, interrupted=interrupted
        )
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

    def write(self, *, workers: int, interrupted: bool) -> None:
        run = self.run
        info = report.RunInfo(
            id=run.id,
            started_at=run.started_at,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status="interrupted" if interrupted else "complete",
            uv_version=run.uv.version,
            uv_path=str(run.uv.path),
            workers=workers,
            wall_s=round(time.perf_counter() - run.started, 2),
        )
        report.write(run.report_path, info, self.results.values())

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
