"""The site as readers use it, checked in a real browser against the built site.

Each page is loaded once, and one test runs every check of that page on that load: what it
requested, its console, its uncaught exceptions, its headings, its transcripts (no test syntax
shown, folds that unfold, no sideways scrolling, each command on its prompt's line, a copy button
clear of the text), axe-core and screenshots in both schemes. It waits for what it needs (the
page's load, then the site script saying the transcripts are ready), never for the network to go
quiet.
"""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from site_under_test import SCREENSHOTS, VIEWPORT, OffHostSink, Recorder, pages

PAGES = pages()
SCHEMES = {"light": "default", "dark": "slate"}

# Run in the page: every visible text node that still shows test syntax.
VISIBLE_TEST_SYNTAX = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.textContent.includes("[..]") && node.parentElement.checkVisibility()) {
      found.push(node.textContent.trim().slice(0, 80));
    }
  }
  return found;
}"""
# Code blocks wider than their box: the reader would have to scroll sideways.
SCROLLING_BLOCKS = """() => [...document.querySelectorAll(".md-typeset pre > code")]
  .filter(code => code.checkVisibility() && code.scrollWidth > code.clientWidth + 1)
  .map(code => code.textContent.trim().split("\\n")[0].slice(0, 80))"""
# Prompts not on the same line as the command they start: a command broken into one word per
# line (Material lays out a block as a grid when it takes a child for a line anchor).
BROKEN_COMMAND_LINES = """() => [...document.querySelectorAll(".md-typeset pre > code .gp")]
  .filter(prompt => prompt.checkVisibility() && prompt.nextSibling)
  .filter(prompt => {
    const range = document.createRange();
    range.selectNodeContents(prompt.nextSibling);
    const next = range.getClientRects()[0];
    return next && Math.abs(next.top - prompt.getBoundingClientRect().top) > 2;
  })
  .map(prompt => {
    const code = prompt.closest("code");
    const before = document.createRange();
    before.setStart(code, 0);
    before.setEndBefore(prompt);
    const line = before.toString().split("\\n").length - 1;
    return code.textContent.split("\\n")[line].slice(0, 80);
  })"""
# Blocks whose copy button lies over some of their text (whitespace does not count: the box of a
# newline reaches to the end of its line, text or not).
COVERED_TEXT = """() => {
  const covered = [];
  for (const pre of document.querySelectorAll(".md-typeset pre")) {
    const nav = pre.querySelector(".md-code__nav");
    const code = pre.querySelector("code");
    if (!nav || !code || !pre.checkVisibility()) continue;
    const button = nav.getBoundingClientRect();
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let hit = false;
    while (!hit && walker.nextNode()) {
      if (!walker.currentNode.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      hit = [...range.getClientRects()].some(line => line.width > 0
        && line.left < button.right && line.right > button.left
        && line.top < button.bottom && line.bottom > button.top);
    }
    if (hit) covered.push(code.textContent.trim().split("\\n")[0].slice(0, 80));
  }
  return covered;
}"""
COLOUR_RULES = {"runOnly": ["color-contrast", "link-in-text-block"]}
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"
AXE_SERIOUS = """async (options) => (await axe.run(document, options)).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3)
    .map(n => n.target))}`)"""


def url(path: str) -> str:
    return "" if path == "." else path + "/"


def screenshot_name(path: str, scheme: str) -> str:
    return f"{'home' if path == '.' else path.replace('/', '-')}-{scheme}.png"


def load(page: Page, path: str) -> Recorder:
    recorder = Recorder(page)
    page.goto(url(path), wait_until="load")
    page.wait_for_function("document.documentElement.dataset.transcripts === 'ready'")
    return recorder


def open_page(context: BrowserContext, path: str) -> tuple[Page, Recorder]:
    page = context.new_page()
    page.set_viewport_size(VIEWPORT)
    return page, load(page, path)


@pytest.mark.parametrize("path", PAGES)
def test_page(reader_tab: Page, axe_url: str, path: str):
    page = reader_tab
    recorder = load(page, path)
    try:
        check_page(page, path, recorder, axe_url)
    finally:
        recorder.stop()
        # Whatever this page still had under way ends here, not in the next page's record.
        page.goto("about:blank")


def check_page(page: Page, path: str, recorder: Recorder, axe_url: str) -> None:
    problems: list[str] = []

    def check(what: str, found: list[str]) -> None:
        problems.extend(f"{what}: {item}" for item in found)

    check("request to another host", recorder.third_party())
    check("failed request", recorder.failed)
    check("console error", recorder.console_errors)
    check("uncaught exception", recorder.uncaught)

    levels = page.eval_on_selector_all(
        "article h1, article h2, article h3, article h4",
        "nodes => nodes.map(n => Number(n.tagName[1]))",
    )
    if not levels or levels[0] != 1:
        problems.append(f"headings do not start with one h1: {levels}")
    check(
        "heading level skipped", [f"{a} to {b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    )
    if page.locator("article img:not([alt])").count():
        problems.append("an image has no alt text")

    check("test syntax shown to readers", page.evaluate(VISIBLE_TEST_SYNTAX))
    check("code block scrolls sideways at 1280 px", page.evaluate(SCROLLING_BLOCKS))
    check("copy button covers text", page.evaluate(COVERED_TEXT))
    check("command broken over several lines", page.evaluate(BROKEN_COMMAND_LINES))

    page.add_script_tag(url=axe_url)
    # Material fades colours between schemes: without the fade, the new colours are final at
    # once (the check below still waits for any animation that is left).
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, scheme in SCHEMES.items():
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        page.wait_for_function(SETTLED)
        # The first scheme runs every rule. A scheme changes colours and nothing else, so the
        # second runs only the rules that judge colours.
        rules = {} if name == "light" else COLOUR_RULES
        check(f"accessibility, {name} scheme", page.evaluate(AXE_SERIOUS, rules))
        # The first screen: a full-page shot of a long page costs ten times as much (1-2 s).
        page.screenshot(path=SCREENSHOTS / screenshot_name(path, name))

    check("folded output", unfold_every_fold(page))
    assert not problems, f"{path}:\n" + "\n".join(problems)


def unfold_every_fold(page: Page) -> list[str]:
    """Each folded output starts folded, and its button shows every line it hid."""
    problems = []
    for button in page.locator("button.uvg-unfold").all():
        label = button.text_content() or ""
        fold = page.locator(f"#{button.get_attribute('aria-controls')}")
        if fold.is_visible() or button.get_attribute("aria-expanded") != "false":
            problems.append(f"{label}: not folded to begin with")
            continue
        hidden = int(label.split()[1])  # "Show N more lines"
        button.scroll_into_view_if_needed()
        button.click()
        shown = len(fold.inner_text().splitlines()) if fold.is_visible() else 0
        if shown != hidden or button.get_attribute("aria-expanded") != "true":
            problems.append(f"{label}: unfolding showed {shown} of {hidden} lines")
    return problems


# Words a reader of the old guide searched for and found nothing.
SEARCHES = {
    "overrides": "pip/resolution/",
    "conflicts": "ml/cpu-and-cuda-variants/",
    "dockerignore": "integration/docker/",
    "cooldown": "security/exclude-newer/",
}


@pytest.mark.parametrize(("word", "target"), SEARCHES.items())
def test_search_finds_the_right_page(context: BrowserContext, word: str, target: str):
    page = context.new_page()
    page.goto("")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Material loads the index in a worker, and reads the query on key-up: wait until the
    # index is ready, then put the whole word in and send one key, so that the only query ever
    # searched is the word itself (typing it would search each prefix on the way).
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("Type to start searching", timeout=15_000)
    box = page.locator(".md-search__input")
    box.fill(word)
    box.press("End")
    top_three = page.locator(".md-search-result__item:nth-child(-n+3) > a")
    expect(top_three.locator(f"xpath=self::*[contains(@href, '{target}')]")).not_to_have_count(
        0, timeout=15_000
    )


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


def test_a_folded_output_unfolds_after_instant_navigation(context: BrowserContext):
    """Material swaps pages without reloading: the fold script must run on the new page too."""
    page, _ = open_page(context, ".")
    page.get_by_role("link", name="Virtual environments").first.click()
    page.wait_for_url("**/pip/venv/")
    button = page.locator("button.uvg-unfold").first
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(f"#{button.get_attribute('aria-controls')}")).to_be_visible()


def test_a_request_for_another_host_fails_without_leaving_the_machine(
    context: BrowserContext, off_host_sink: OffHostSink
):
    """The guard every other test relies on: another host's request reaches only the sink."""
    page = context.new_page()
    page.goto("")
    outcome = page.evaluate(
        "() => fetch('https://example.com/guard').then(() => 'answered', () => 'failed')"
    )
    assert outcome == "failed"
    assert "CONNECT example.com:443 HTTP/1.1" in off_host_sink.seen
