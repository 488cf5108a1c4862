"""The project's settings, read from `pyproject.toml`: the pinned uv and the harness's knobs.

The pinned uv version is the `uv==X.Y.Z` requirement of the `pinned-uv` dependency group; that
line is the only place the version is written. The harness, the site macros, the benchmark and
CI all read it through `load()`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .isolation import Limits


class SettingsError(Exception):
    """`pyproject.toml` does not say what the harness needs."""


@dataclass(frozen=True)
class Settings:
    root: Path  # the project: pyproject.toml, docs/, snippets/, build/
    uv_version: str
    exclude_newer: str
    block_timeout: float  # seconds one command may run
    page_timeout: float  # seconds a whole page may run
    limits: Limits

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def snippets(self) -> Path:
        return self.root / "snippets"

    @property
    def build(self) -> Path:
        return self.root / "build"

    def page_variables(self) -> dict[str, str]:
        """Values a page may use as `{{ name }}`: the site and the harness substitute the same."""
        return {
            "uv_version": self.uv_version,
            "exclude_newer": self.exclude_newer,
            "exclude_newer_date": self.exclude_newer[:10],
        }


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` whose pyproject.toml has `[tool.uv-guide]`."""
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.uv-guide]" in pyproject.read_text(encoding="utf-8"):
            return directory
    raise SettingsError(f"no pyproject.toml with [tool.uv-guide] at or above {start}")


@cache
def load(root: Path | None = None) -> Settings:
    root = find_root(root)
    pyproject = root / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    group = data.get("dependency-groups", {}).get("pinned-uv", [])
    pins = [m.group(1) for req in group if (m := re.fullmatch(r"uv==([\w.+-]+)", str(req)))]
    if len(pins) != 1:
        raise SettingsError(f"{pyproject}: [dependency-groups] pinned-uv must hold one 'uv==X.Y.Z'")
    table = data.get("tool", {}).get("uv-guide", {})
    mebibytes = 2**20
    try:
        return Settings(
            root=root,
            uv_version=pins[0],
            exclude_newer=str(table["exclude-newer"]),
            block_timeout=float(table["block-timeout"]),
            page_timeout=float(table["page-timeout"]),
            limits=Limits(
                memory_bytes=int(table["memory-limit-mib"]) * mebibytes,
                disk_bytes=int(table["disk-limit-mib"]) * mebibytes,
                tmp_bytes=int(table["tmp-limit-mib"]) * mebibytes,
                output_bytes=int(table["output-limit-mib"]) * mebibytes,
            ),
        )
    except KeyError as missing:
        raise SettingsError(f"{pyproject}: [tool.uv-guide] lacks {missing}") from None


if __name__ == "__main__":
    # Scripts print the pin from here rather than typing it again.
    print(load().uv_version)
