"""Fixtures: the built site served on localhost, and Debian's headless Chromium via Playwright."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from site_under_test import AXE, CHROMIUM, CHROMIUM_ARGS, SITE, VIEWPORT, OffHostSink

from uvguide import localhost


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with localhost.serve(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def axe_url() -> Iterator[str]:
    """axe-core as a script of its own on localhost. Chromium keeps a script it loads by URL
    compiled from one page to the next; a script put in as text (Playwright's `path=`) is sent
    over the protocol, parsed and compiled again on every page."""
    if not AXE.is_file():
        pytest.fail(f"no axe-core at {AXE}: run `nox -s browser`, which installs it with npm")
    with localhost.serve(AXE.parent) as url:
        yield url + AXE.name


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
    # Every page builds the whole search index in a worker as it loads (0.3-0.4 CPU-s, about one
    # of the page's two axe runs). The tab gets an index of the home page alone, with the site's
    # own settings (Material throws on an index of no page at all), at the index's own address
    # only: a page that asks for it anywhere else still gets the server's 404. The search tests
    # use the real index.
    index = json.loads((SITE / "search" / "search_index.json").read_text(encoding="utf-8"))
    small = json.dumps({"config": index["config"], "docs": index["docs"][:1]})

    def answer(route: Route) -> None:
        route.fulfill(body=small, content_type="application/json")

    tab.route(f"{base_url.rstrip('/')}/search/search_index.json", answer)
    yield tab
    context.close()
