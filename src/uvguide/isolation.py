"""How a page is kept away from the host: Linux namespaces through bubblewrap, or, where those
are unavailable (macOS, a locked-down runner), the environment alone.

With namespaces a page sees the host read-only, and gets its own `/dev`, `/tmp`, `/dev/shm` and
PID namespace, and its sandbox directory as a size-limited tmpfs: the only place it can write.
It runs as an unprivileged user (uid 1000). The network is shared: pages need the package index.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path


class Isolation(StrEnum):
    NAMESPACES = "namespaces"
    ENVIRONMENT_ONLY = "environment-only"


class IsolationError(Exception):
    """Namespaces were required but cannot be had here."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int  # the whole page: every process it runs
    disk_bytes: int  # the page's sandbox directory
    tmp_bytes: int  # each of its /tmp and /dev/shm
    output_bytes: int  # what one command's output may add to the report


READER_UID = 1000


@cache
def namespaces_unavailable() -> str | None:
    """Why bubblewrap cannot make a sandbox here, or None when it can."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    probe = subprocess.run(
        [bwrap, "--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev",
         "--proc", "/proc", "--", "true"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"bwrap cannot create namespaces here: {probe.stderr.strip()}"
    return None


def choose(wanted: str) -> Isolation:
    """`auto` takes namespaces where they work; `namespaces` insists on them."""
    if wanted == Isolation.ENVIRONMENT_ONLY:
        return Isolation.ENVIRONMENT_ONLY
    reason = namespaces_unavailable()
    if reason is None:
        return Isolation.NAMESPACES
    if wanted == Isolation.NAMESPACES:
        raise IsolationError(f"namespaces were required (--isolation=namespaces), but {reason}")
    return Isolation.ENVIRONMENT_ONLY


def bwrap_argv(root: Path, limits: Limits, visible: list[Path]) -> list[str]:
    """The bubblewrap command line that holds one page; `visible` are host directories the page
    must still reach that a private /tmp would hide (the uv under test, the interpreter)."""
    argv = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-user", "--uid", str(READER_UID), "--gid", str(READER_UID),
        "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
        "--size", str(limits.tmp_bytes), "--tmpfs", "/dev/shm",
        "--size", str(limits.disk_bytes), "--tmpfs", str(root),
    ]  # fmt: skip
    for path in visible:
        argv += ["--ro-bind-try", str(path), str(path)]
    return [*argv, "--chdir", str(root), "--"]


def interpreter() -> Path:
    """The real Python interpreter (not a venv's link to it), for the agent."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.base_prefix) / "bin" / version, Path(sys.executable)):
        if candidate.exists():
            return candidate
    return Path(sys.executable)
