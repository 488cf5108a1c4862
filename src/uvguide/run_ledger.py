"""A run's ledger of its pages, on disk where the controller and every xdist worker see it.

Each page notes when it starts, which block it is on, and where its sandbox is. When a worker
crashes, xdist hands the rest of that worker's pages to another worker: the ledger shows that
the page was already started, so its remaining blocks are reported as lost instead of being run
in a fresh sandbox (which would not be the page a reader follows). At the end, the controller
removes any sandbox a crashed worker could not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from .files import write_atomically


@dataclass(frozen=True)
class PageEntry:
    page: str
    worker: str
    sandbox: str
    cgroup: str | None  # the page's memory cgroup, if it has one
    line: int  # the block being run, 0 before the first


class RunLedger:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, page: str) -> Path:
        return self.directory / f"{hashlib.sha1(page.encode()).hexdigest()}.json"

    def started_before(self, page: str) -> PageEntry | None:
        """The entry of a page this run already started (on a worker that has since crashed)."""
        try:
            return PageEntry(**json.loads(self._path(page).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def note(self, entry: PageEntry) -> None:
        write_atomically(self._path(entry.page), json.dumps(asdict(entry)))

    def clean_up(self) -> list[str]:
        """Remove the ledger and every sandbox still on disk; returns the sandboxes removed."""
        removed = []
        for path in sorted(self.directory.glob("*.json")):
            with contextlib.suppress(OSError, ValueError, TypeError):
                entry = PageEntry(**json.loads(path.read_text(encoding="utf-8")))
                if entry.sandbox and os.path.isdir(entry.sandbox):
                    shutil.rmtree(entry.sandbox, ignore_errors=True)
                    removed.append(entry.sandbox)
                if entry.cgroup:
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.cgroup)
        shutil.rmtree(self.directory, ignore_errors=True)
        return removed
