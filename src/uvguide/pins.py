"""Where the pinned uv version is written down.

The pin itself is the one `uv==X.Y.Z` line of the `pinned-uv` group in `pyproject.toml`. Pages
show it through `{{ uv_version }}`, but sample files a reader copies from `snippets/` cannot use
a macro, so they name a version literally: a Dockerfile's image tag, a workflow's `setup-uv`
version, and the `uv_build` bounds of build backends. The contract test checks they agree with
the pin; the upgrade session moves them with it.
"""

from __future__ import annotations

import re
from pathlib import Path

PIN = re.compile(r'(?m)^(?P<head>pinned-uv = \["uv==)(?P<version>[\w.+-]+)(?P<tail>"\])')
DOCKER_TAG = re.compile(r"(?P<head>ghcr\.io/astral-sh/uv:)(?P<version>\d+\.\d+\.\d+)")
SETUP_UV = re.compile(r'(?P<head>setup-uv@\S+\s+with:\s+version:\s*")(?P<version>\d+\.\d+\.\d+)')
# `uv_build>=1.2.3,<1.3.0`, or with two-part versions: the upper bound is the next minor.
UV_BUILD = re.compile(r"uv_build>=(?P<low>\d+\.\d+(?:\.\d+)?),<(?P<high>\d+\.\d+(?:\.\d+)?)")


def named_versions(text: str) -> list[str]:
    """Every exact uv version a sample file names (the pin, if the file agrees with it)."""
    exact = [m["version"] for pattern in (DOCKER_TAG, SETUP_UV) for m in pattern.finditer(text)]
    exact += [m["low"] for m in UV_BUILD.finditer(text) if m["low"].count(".") == 2]
    return exact


def sample_files(root: Path) -> list[Path]:
    """The files of snippets/ that name a uv version."""
    return sorted(
        path
        for path in (root / "snippets").rglob("*")
        if path.is_file()
        and any(
            pattern.search(path.read_text(encoding="utf-8", errors="replace"))
            for pattern in (DOCKER_TAG, SETUP_UV, UV_BUILD)
        )
    )


def bump(text: str, old: str, new: str) -> str:
    """A sample file's text with every version it names moved from the old pin to the new."""

    def exact(match: re.Match[str]) -> str:
        return match["head"] + new if match["version"] == old else match[0]

    text = DOCKER_TAG.sub(exact, text)
    text = SETUP_UV.sub(exact, text)

    def build(match: re.Match[str]) -> str:
        low = match["low"]
        parts = low.count(".") + 1
        # A lower bound that names the old pin (in full, or as its release line) follows it,
        # up or down; any other bound stays, unless it now lies above the new pin.
        if low == ".".join(old.split(".")[:parts]) or version_key(low) > version_key(new):
            low = ".".join(new.split(".")[:parts])
        major, minor = (int(part) for part in new.split(".")[:2])
        parts = match["high"].count(".") + 1
        high = ".".join([str(major), str(minor + 1), "0"][:parts])
        return f"uv_build>={low},<{high}"

    return UV_BUILD.sub(build, text)


def version_key(version: str) -> tuple[int, ...]:
    """A release version (X.Y or X.Y.Z) as numbers, to compare and sort."""
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def set_pin(pyproject: str, version: str) -> str:
    updated, count = PIN.subn(lambda m: m["head"] + version + m["tail"], pyproject)
    if count != 1:
        raise ValueError('pyproject.toml has no single `pinned-uv = ["uv==X.Y.Z"]` line')
    return updated
