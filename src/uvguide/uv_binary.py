"""Which uv a run tests: the pinned one installed from the lock, or one named for a drift run."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


class UvError(Exception):
    """The uv to test cannot be found or does not say its version."""


@dataclass(frozen=True)
class Uv:
    path: Path
    version: str


def pinned_uv_path() -> Path:
    try:
        from uv import find_uv_bin  # the `uv` wheel of the pinned-uv group
    except ImportError:
        raise UvError("the pinned uv is not installed: run through nox (group pinned-uv)") from None
    return Path(find_uv_bin()).resolve()


def version_of(path: Path) -> str:
    """`uv --version` prints `uv X.Y.Z (build info)`: the second word."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, check=False, timeout=60
        )
    except OSError as error:
        raise UvError(f"{path}: {error}") from None
    words = out.stdout.split()
    if out.returncode != 0 or len(words) < 2 or words[0] != "uv":
        raise UvError(f"{path} --version printed {out.stdout.strip()!r} (exit {out.returncode})")
    return words[1]


def resolve(path: Path) -> Uv:
    path = path.resolve()
    return Uv(path, version_of(path))


if __name__ == "__main__":
    # `python -m uvguide.uv_binary PATH` prints that uv's version, for the sessions that need it.
    import sys

    print(version_of(Path(sys.argv[1])))
