"""Fixtures: the built site served on localhost, and Debian's headless Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from site_under_test import CHROMIUM, CHROMIUM_ARGS, SITE, VIEWPORT, OffHostSink

from uvguide import localhost


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with localhost.serve(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def off_host_sink() -> Iterator[OffHostSink]:
    with OffHostSink() as sink:
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        yield sink
        sink.shutdown()


@pytest.fixture(scope="session")
def browser(off_host_sink: OffHostSink) -> Iterator[Browser]:
    # Chromium never sends loopback through a proxy, so the site loads directly and any other
    # host, by name or by address, goes to the sink, without a round trip through Playwright
    # for each request.
    proxy = f"--proxy-server=http://127.0.0.1:{off_host_sink.server_address[1]}"
    if not CHROMIUM:
        pytest.fail("no browser named: run `nox -s browser`, or set CHROMIUM to one")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, proxy])
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    yield context
    context.close()


@pytest.fixture(scope="session")
def reader_tab(browser: Browser, base_url: str) -> Iterator[Page]:
    """One tab per worker for the checks of every page. A new tab starts a new renderer
    process, which cost more CPU than all the checks of a short page; loading the next page
    into the same tab replaces the document, its scripts and styles."""
    context = browser.new_context(base_url=base_url)
    tab = context.new_page()
    tab.set_viewport_size(VIEWPORT)
    yield tab
    context.close()
