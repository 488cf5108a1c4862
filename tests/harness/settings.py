"""Project settings the harness, the site macros and CI share, all read from `pyproject.toml`.

The pinned uv version is the `uv==X.Y.Z` requirement of the `pinned-uv` dependency group:
that line is the only place the version is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = REPO_ROOT / "pyproject.toml"


class SettingsError(Exception):
    """`pyproject.toml` does not say what the harness needs."""


@dataclass(frozen=True)
class Settings:
    uv_version: str
    exclude_newer: str
    block_timeout: float


@cache
def load(pyproject: Path = PYPROJECT) -> Settings:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    group = data.get("dependency-groups", {}).get("pinned-uv", [])
    pins = [m.group(1) for req in group if (m := re.fullmatch(r"uv==([\w.+-]+)", str(req)))]
    if len(pins) != 1:
        raise SettingsError(f"{pyproject}: [dependency-groups] pinned-uv must hold one 'uv==X.Y.Z'")
    table = data.get("tool", {}).get("uv-guide", {})
    try:
        return Settings(
            uv_version=pins[0],
            exclude_newer=str(table["exclude-newer"]),
            block_timeout=float(table["block-timeout"]),
        )
    except KeyError as missing:
        raise SettingsError(f"{pyproject}: [tool.uv-guide] lacks {missing}") from None


def page_variables() -> dict[str, str]:
    """Values pages may use as `{{ name }}`: the site macros and the harness substitute the same."""
    settings = load()
    return {
        "uv_version": settings.uv_version,
        "exclude_newer": settings.exclude_newer,
        "exclude_newer_date": settings.exclude_newer[:10],
    }


if __name__ == "__main__":
    # `.ci/run` and the noxfile print the pin from here rather than typing it again.
    print(load().uv_version)
