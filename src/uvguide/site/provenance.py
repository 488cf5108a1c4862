"""What each page's footer says about its own blocks: how many ran, which were only checked, and
why, with the uv version and the date packages are frozen at.

The footer is computed when the site is built, from the page's blocks as the harness lexes them.
When the build has a complete report of a test run with the pinned uv (the Pages workflow runs
the examples first), the footer says what that run did; otherwise it says what the tests do, by
the page's annotations, and that it was not run in this build.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import report
from ..blocks import Block, Kind, Mode, Platform
from ..lexer import PageLexer
from ..results import Outcome
from ..settings import Settings

NOT_RUN_HERE = {
    Kind.POWERSHELL: "PowerShell, for Windows readers",
}
TESTED_PAGE = "reference/how-this-guide-is-tested.md"


@dataclass
class Provenance:
    """A page's blocks by what happens to them."""

    ran: int = 0
    checked: Counter[str] = field(default_factory=Counter)  # why, how many
    skipped: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    run: str | None = None  # "the test run of <date> on <platform>", when there was one

    @property
    def total(self) -> int:
        return self.ran + sum(self.checked.values()) + sum(self.skipped.values()) + self.failed


def from_annotations(blocks: list[Block], platform: Platform) -> Provenance:
    """What the tests do with each block, as its annotation and language say."""
    provenance = Provenance()
    for block in blocks:
        if block.kind is Kind.DISPLAY:
            continue
        if block.mode is Mode.SKIP:
            provenance.skipped[block.reason] += 1
        elif block.mode is Mode.NO_RUN:
            provenance.checked[block.reason] += 1
        elif block.kind in NOT_RUN_HERE:
            provenance.checked[NOT_RUN_HERE[block.kind]] += 1
        elif block.platforms and platform not in block.platforms:
            names = " and ".join(sorted(p.label for p in block.platforms))
            provenance.checked[f"for {names} readers"] += 1
        elif block.needs:
            provenance.checked[f"run only where {', '.join(block.needs)} answers"] += 1
        else:
            provenance.ran += 1
    return provenance


def from_report(page: str, data: report.Report) -> Provenance | None:
    results = [r for r in data.results if r.page == page and r.outcome is not Outcome.DISPLAY]
    if not results:
        return None
    platform = Platform(data.run.platform).label
    provenance = Provenance(run=f"the test run of {data.run.started_at[:10]} on {platform}")
    for result in results:
        if result.outcome is Outcome.PASSED:
            provenance.ran += 1
        elif result.outcome is Outcome.CHECKED:
            provenance.checked[result.reason] += 1
        elif result.outcome is Outcome.SKIPPED:
            provenance.skipped[result.reason] += 1
        else:
            provenance.failed += 1
    return provenance


def last_run(settings: Settings) -> report.Report | None:
    """The build's test run, if it finished, with the pinned uv."""
    path = settings.build / "examples-report.json"
    try:
        data = report.read(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.run.status != "complete" or data.run.uv_version != settings.uv_version:
        return None
    return data


def footer(page_source: Path, settings: Settings, data: report.Report | None) -> str:
    """The footer of one page, in Markdown."""
    relative = page_source.relative_to(settings.docs).as_posix()
    name = f"{settings.docs.name}/{relative}"
    provenance = from_report(name, data) if data else None
    if provenance is None:
        lexer = PageLexer(Path(name), settings.snippets, settings.page_variables())
        blocks = [
            b for b in lexer.blocks(page_source.read_text(encoding="utf-8")) if isinstance(b, Block)
        ]
        provenance = from_annotations(blocks, Platform.LINUX)
    link = os.path.relpath(TESTED_PAGE, os.path.dirname(relative) or ".")
    return (
        f'\n\n<div class="provenance" markdown>\n\n{sentence(provenance, settings)} '
        f"[How this guide is tested]({link}).\n\n</div>\n"
    )


def sentence(provenance: Provenance, settings: Settings) -> str:
    head = f"Tested with uv {settings.uv_version}, packages as of {settings.exclude_newer[:10]}."
    if not provenance.total:
        return f"{head} This page has no commands to run."
    if provenance.run:
        ran = f"In {provenance.run}, {provenance.ran} of this page's {provenance.total} blocks ran"
    else:
        ran = (
            f"The tests run {provenance.ran} of this page's {provenance.total} blocks "
            f"on {Platform.LINUX.label}"
        )
    parts = [ran]
    parts += [f"{count} only checked ({why})" for why, count in provenance.checked.items()]
    parts += [f"{count} not run ({why})" for why, count in provenance.skipped.items()]
    if provenance.failed:
        parts.append(f"{provenance.failed} failed")
    return f"{head} {'; '.join(parts)}."
