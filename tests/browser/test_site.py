"""The site as readers use it, checked in a real browser against the built site."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import BrowserContext, expect
from site_under_test import AXE, SCREENSHOTS, Recorder, pages

PAGES = pages()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_from_localhost_only(context: BrowserContext, path: str):
    page = context.new_page()
    recorder = Recorder(page)
    page.goto(path + "/" if path != "." else "", wait_until="networkidle")
    assert recorder.third_party() == []
    assert recorder.failed == []
    assert recorder.console_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = "home" if path == "." else path.replace("/", "-")
    page.screenshot(path=SCREENSHOTS / f"{name}-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => localStorage.clear()")
    page.reload(wait_until="networkidle")
    page.screenshot(path=SCREENSHOTS / f"{name}-dark.png", full_page=True)


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(context: BrowserContext, path: str):
    page = context.new_page()
    page.goto(path + "/" if path != "." else "", wait_until="networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_headings_are_in_order_and_images_have_alt_text(context: BrowserContext):
    page = context.new_page()
    for path in PAGES:
        page.goto(path + "/" if path != "." else "")
        levels = page.eval_on_selector_all(
            "article h1, article h2, article h3, article h4",
            "nodes => nodes.map(n => Number(n.tagName[1]))",
        )
        assert levels and levels[0] == 1, path
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert jumps == [], f"{path}: heading levels skip {jumps}"
        assert page.locator("article img:not([alt])").count() == 0, path


def test_search_finds_the_right_page(context: BrowserContext):
    page = context.new_page()
    page.goto("")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Material loads the index in a worker, and reads the query on key-up: wait until the
    # index is ready, then type (`fill` sends no key events, so the query would go unseen).
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("Type to start searching", timeout=15_000)
    page.locator(".md-search__input").press_sequentially("overrides")
    result = page.locator(".md-search-result__item").first
    expect(result).to_be_visible(timeout=15_000)
    assert "pip/resolution/" in result.locator("a").first.get_attribute("href")


def test_copy_button_copies_only_the_commands(context: BrowserContext):
    page = context.new_page()
    page.goto("start/first-environment/")
    block = page.locator("div.highlight").first
    block.hover()
    block.locator("button[data-md-type='copy']").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == "mkdir mlx-demo\ncd mlx-demo\nuv venv"


def test_scheme_toggle_switches_light_and_dark(context: BrowserContext):
    page = context.new_page()
    page.emulate_media(color_scheme="light")
    page.goto("")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.locator("label.md-header__button[for^='__palette']:visible").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")


def test_content_tabs_switch(context: BrowserContext):
    page = context.new_page()
    page.goto("start/install/")
    page.get_by_text("Windows", exact=True).first.click()
    expect(page.locator(".tabbed-block").filter(has_text="powershell").first).to_be_visible()
