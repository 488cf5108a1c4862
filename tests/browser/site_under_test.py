"""What the browser tests look at: the built site, its pages, and what a page requests."""

from __future__ import annotations

import os
import socketserver
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SITE_DIR", REPO / "site"))
# The browser `nox -s browser` chose (it knows the default and checks that it exists).
CHROMIUM = os.environ.get("CHROMIUM", "")
SCREENSHOTS = REPO / "build" / "screenshots"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1280, "height": 900}
# Flags that keep Chromium from calling home: this machine (and a reader offline) has no network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def pages() -> list[str]:
    """Every page of the built site, as a path below the site root."""
    if not (SITE / "index.html").is_file():
        raise pytest.UsageError(f"{SITE} has no built site: run `nox -s browser`")
    found = sorted(p.relative_to(SITE).parent.as_posix() for p in SITE.rglob("index.html"))
    return [page for page in found if not page.startswith(("assets", "search"))]


class Recorder:
    """What a page did while loading: its requests, failures, console errors and uncaught
    exceptions. It listens until `stop()`, so a tab reused for the next page starts with a
    recorder of its own."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.uncaught: list[str] = []
        self.listeners = {
            "request": lambda request: self.requests.append(request.url),
            "requestfailed": lambda request: self.failed.append(request.url),
            "console": lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
            # Chromium reports a script's uncaught exception apart from the console.
            "pageerror": lambda error: self.uncaught.append(str(error)),
        }
        for event, listener in self.listeners.items():
            page.on(event, listener)

    def stop(self) -> None:
        for event, listener in self.listeners.items():
            self.page.remove_listener(event, listener)

    def third_party(self) -> list[str]:
        return [url for url in self.requests if urlparse(url).hostname not in LOCAL_HOSTS
                and not url.startswith(("data:", "blob:"))]  # fmt: skip


class _NoteFirstLine(socketserver.StreamRequestHandler):
    server: OffHostSink

    def handle(self) -> None:
        self.server.seen.append(self.rfile.readline(1024).decode("latin-1").strip())


class OffHostSink(socketserver.ThreadingTCPServer):
    """Where every request for another host ends: the browser's proxy. It notes the request's
    first line and hangs up, so the request fails and nothing leaves the machine."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _NoteFirstLine)
