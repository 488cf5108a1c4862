"""A local package index: the wheels a requirement set needs, served from localhost, so the
timed runs measure the installers and not the network."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fill(wheelhouse: Path, requirements: Path) -> None:
    """Download (once) every wheel of a locked requirements file into wheelhouse."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
         "--dest", str(wheelhouse), "-r", str(requirements)],
        check=True,
    )  # fmt: skip


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # uv streams a wheel only until it has read its metadata, then hangs up: not an error.
        pass


@contextmanager
def serve(wheelhouse: Path) -> Iterator[str]:
    """Serve wheelhouse as a flat `--find-links` page on 127.0.0.1; yields its URL."""
    handler = functools.partial(Quiet, directory=str(wheelhouse))
    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
