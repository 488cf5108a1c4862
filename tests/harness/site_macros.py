"""mkdocs-macros module: pages read the pinned values through the same function the harness uses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.settings import page_variables


def define_env(env: Any) -> None:
    env.variables.update(page_variables())


def on_post_page_macros(env: Any) -> None:
    values = page_variables()
    env.markdown += (
        "\n\n---\n\n"
        f'<small class="tested-with">Every command on this page was run by the docs CI with '
        f"**uv {values['uv_version']}**, resolving packages as they stood on "
        f"{values['exclude_newer_date']}.</small>\n"
    )
