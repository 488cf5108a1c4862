"""Fixtures: the built site served on localhost, and Debian's headless Chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from site_under_test import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, SITE, VIEWPORT

from uvguide import localhost


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with localhost.serve(SITE) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def guarded_context(browser: Browser, base_url: str) -> BrowserContext:
    """A context in which nothing may leave the machine: any attempt is dropped (and the
    page's Recorder sees it fail)."""
    context = browser.new_context(base_url=base_url)

    def guard(route: object) -> None:
        host = urlparse(route.request.url).hostname  # type: ignore[attr-defined]
        if host in LOCAL_HOSTS:
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    return context


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = guarded_context(browser, base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    yield context
    context.close()


@pytest.fixture(scope="session")
def reader_tab(browser: Browser, base_url: str) -> Iterator[Page]:
    """One tab per worker for the checks of every page. A new tab starts a new renderer
    process, which cost more CPU than all the checks of a short page; loading the next page
    into the same tab replaces the document, its scripts and styles."""
    context = guarded_context(browser, base_url)
    tab = context.new_page()
    tab.set_viewport_size(VIEWPORT)
    yield tab
    context.close()
