"""mkdocs-macros module: pages read the pinned values through the same function the harness uses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.settings import page_variables

COMPAT_DIR = Path(__file__).resolve().parents[2] / "docs" / "data" / "compat"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def compatibility_table() -> str:
    """Which uv versions each page works with, from the committed drift summaries."""
    runs = [json.loads(path.read_text()) for path in sorted(COMPAT_DIR.glob("*.json"))]
    runs.sort(key=lambda run: version_key(run["uv_version"]), reverse=True)
    if not runs:
        return "*No drift runs recorded yet: run `nox -s drift -- <version>`.*"
    pages = sorted({page for run in runs for page in run["pages"]})
    header = "| page | " + " | ".join(f"uv {run['uv_version']}" for run in runs) + " |"
    lines = [header, "|---" * (len(runs) + 1) + "|"]
    for page in pages:
        cells = []
        for run in runs:
            counts = run["pages"].get(page)
            if counts is None:
                cells.append("not run")
            elif counts["drift"]:
                cells.append(f"breaks ({counts['drift']} blocks)")
            elif counts["environment"]:
                cells.append(f"works (network-limited: {counts['environment']} blocks)")
            else:
                cells.append("works")
        # Links are relative to the compatibility page itself, docs/reference/.
        link = os.path.relpath(page, "docs/reference")
        lines.append(f"| [{page.removeprefix('docs/')}]({link}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def define_env(env: Any) -> None:
    env.variables.update(page_variables())
    env.macro(compatibility_table)


def on_post_page_macros(env: Any) -> None:
    values = page_variables()
    env.markdown += (
        "\n\n---\n\n"
        f'<small class="tested-with">Every command on this page was run by the docs CI with '
        f"**uv {values['uv_version']}**, resolving packages as they stood on "
        f"{values['exclude_newer_date']}.</small>\n"
    )
