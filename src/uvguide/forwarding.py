"""Running a child command to its end while this process stands in for it: Ctrl-C and SIGTERM
(nox stopping a session, CI cancelling a job) reach the child, which cleans up its sandboxes
and writes its report, instead of being orphaned."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def run_forwarding_signals(
    command: list[str], env: dict[str, str] | None = None, **popen: Any
) -> int:
    """The child's exit status, once it has ended."""
    child = subprocess.Popen(command, env=env, **popen)

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    previous = {
        signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
