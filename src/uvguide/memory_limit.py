"""A page's memory bound: a memory cgroup where this process may make one (the whole page, tmpfs
included, counts), otherwise an address-space rlimit on each of its processes.

The holder of a page is started through `/bin/sh`, which puts itself in the cgroup (or sets the
rlimit) and then execs, so no process of the page ever runs outside the bound.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_V1 = Path("/sys/fs/cgroup/memory")


@dataclass
class MemoryLimit:
    limit_bytes: int
    cgroup: Path | None  # None: the rlimit applies instead

    @property
    def kind(self) -> str:
        return "cgroup" if self.cgroup else "rlimit"

    def wrap(self, argv: list[str]) -> list[str]:
        if self.cgroup:
            script = 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"'
            return ["/bin/sh", "-c", script, "sh", str(self.cgroup), *argv]
        script = 'ulimit -v "$1" && shift && exec "$@"'
        return ["/bin/sh", "-c", script, "sh", str(self.limit_bytes // 1024), *argv]

    def out_of_memory_kills(self) -> int:
        """How many processes the kernel killed for going over the cgroup's limit so far."""
        if self.cgroup is None:
            return 0
        try:
            control = (self.cgroup / "memory.oom_control").read_text()
        except OSError:
            return 0
        for line in control.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def release(self) -> None:
        if self.cgroup is not None:
            with contextlib.suppress(OSError):
                self.cgroup.rmdir()


def memory_limit(limit_bytes: int) -> MemoryLimit:
    return MemoryLimit(limit_bytes, _new_cgroup(limit_bytes))


def _new_cgroup(limit_bytes: int) -> Path | None:
    """A fresh child of this process's memory cgroup (cgroup v1), or None if none can be made.
    cgroup v2 is not tried: a process cannot hand memory control to a child of its own cgroup
    while it lives in that cgroup itself."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            parent = CGROUP_V1 / path.lstrip("/")
            break
    else:
        return None
    if not os.access(parent, os.W_OK):
        return None
    cgroup = parent / f"uvdoc-{uuid.uuid4().hex[:12]}"
    try:
        cgroup.mkdir()
        (cgroup / "memory.limit_in_bytes").write_text(str(limit_bytes))
    except OSError:
        with contextlib.suppress(OSError):
            cgroup.rmdir()
        return None
    return cgroup
