"""Serve a directory on 127.0.0.1 as real servers do: keep-alive, no Nagle delay, and HTTP
range requests. The benchmark's local package index and the browser tests' site both use it."""

from __future__ import annotations

import functools
import http.server
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP range requests, as real indexes serve them: uv reads a wheel's
    metadata from the end of the zip with a range request instead of downloading it twice."""

    # Without these, small responses wait out TCP's delayed-ACK (about 40 ms each), and a
    # benchmark would time the server, not the installers.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # noqa: ANN201 (returns what the base class returns)
        match = RANGE.fullmatch(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = match["first"], match["last"]
        if first == "":  # a suffix range: the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start > end:
            self.send_error(416)
            return None
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data)


RANGE = re.compile(r"bytes=(?P<first>\d*)-(?P<last>\d*)")


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # uv streams a wheel only until it has read its metadata, then hangs up: not an error.
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve directory on 127.0.0.1 (a free port) while the context lasts; yields its URL.
    A directory of wheels is a flat `--find-links` page."""
    handler = functools.partial(StaticHandler, directory=str(directory))
    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
