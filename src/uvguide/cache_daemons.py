"""Starting and stopping the package cache's daemons (squid and nginx) on 127.0.0.1, and the
closed port that stands for an unreachable network."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

START_S = 30.0
# Where a simulated outage sends what must not reach the index: nothing listens there.
CLOSED_PORT = "http://127.0.0.1:9"


class PackageCacheError(Exception):
    """The cache cannot run here."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_listening(name: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else b""
            raise PackageCacheError(
                f"{name} exited with {process.returncode}:\n{log_tail(stderr, log)}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise PackageCacheError(f"{name} did not listen on 127.0.0.1:{port} within {START_S:g}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_tail(stderr: bytes, log: Path) -> str:
    text = stderr.decode(errors="replace")
    if log.is_file():
        text += log.read_text(errors="replace")
    return text[-2000:].strip() or "(nothing printed)"
