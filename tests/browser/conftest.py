"""Fixtures: the built site served on localhost, and Debian's headless Chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from site_under_test import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, SITE

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


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))

    # Nothing may leave the machine; record any attempt (the page's Recorder sees it) and drop it.
    def guard(route: object) -> None:
        host = urlparse(route.request.url).hostname  # type: ignore[attr-defined]
        if host in LOCAL_HOSTS:
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", guard)
    yield context
    context.close()
