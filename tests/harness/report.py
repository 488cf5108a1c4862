"""The examples report: one record per block of every page run, written as JSON for CI and
reviewers, and the one-line summary printed at the end of a run."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def summary(records: Iterable[Record]) -> str:
    records = list(records)
    display = sum(1 for r in records if r.get("kind") == "display")
    outcomes = Counter(r["outcome"] for r in records if r.get("kind") != "display")
    expected_failures = sum(
        1 for r in records if r["mode"] == "expect-fail" and r["outcome"] == "passed"
    )
    run_uv = sum(r.get("uv_commands_run", 0) for r in records)
    all_uv = sum(r.get("uv_commands", 0) for r in records)
    share = f"{100 * run_uv / all_uv:.0f}%" if all_uv else "n/a"
    return (
        f"examples: {len(records) - display} blocks: {outcomes['passed']} passed "
        f"({expected_failures} expected failures), {outcomes['checked']} checked, "
        f"{outcomes['skipped']} skipped, {outcomes['failed']} failed, {outcomes['error']} errors; "
        f"{display} display-only; uv command lines executed: {run_uv}/{all_uv} ({share})"
    )


def write(path: Path, uv_version: str, records: list[Record], **run: Any) -> None:
    """Write atomically, so an interrupted run never leaves half a JSON file behind. `run` adds
    facts about the run itself (wall time, workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(records, key=lambda r: (r["page"], r["line"]))
    data = {"uv_version": uv_version, **run, "summary": summary(ordered), "blocks": ordered}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=1)
        stream.write("\n")
    os.replace(temporary, path)
