"""The pytest plugin (entry point `uvguide`): its options, and the glue that lets Sybil collect
each Markdown page as a file of blocks.

Pages under `docs/` are collected whenever pytest walks them; any other Markdown file only when
named on the command line (the harness's own fixture pages are broken on purpose).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Region, Sybil
from sybil.example import SybilFailure
from sybil.integration.pytest import SybilFile, SybilItem

from .blocks import Block, Kind, LineTable, Mode, PageOptions, Problem, page_digest
from .lexer import PageLexer
from .package_cache import CA_ENV, OUTAGE_ENV, PROXY_ENV
from .page_rewrite import digest
from .page_session import PageSession
from .report_collector import PageInventory, ReportCollector
from .results import BlockResult, FailureClass, Outcome, display_result
from .run import GuideRun

# Installed plugins that a run of pages alone never uses: a process that only runs pages (the
# mutation run, the harness's tests) turns them off. Importing hypothesis costs about a second
# of CPU, pytest-examples (and black with it) 0.15 s, and the harness's tests start 50 such
# processes. A run in record mode keeps pytest-examples: `--update-examples` is its option.
RECORDING_PAGES_ONLY = ("-p", "no:hypothesispytest")
PAGES_ONLY = (*RECORDING_PAGES_ONLY, "-p", "no:examples")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uv guide examples")
    group.addoption("--uv-binary", default=None, help="uv to test with (default: the pinned one)")
    group.addoption(
        "--examples-report",
        default=None,
        help="where the JSON report of this run goes (default: build/examples-report.json)",
    )
    group.addoption(
        "--platform",
        choices=["linux", "macos", "windows"],
        default=None,
        help="whose blocks run (default: this machine's); the others are argument-checked",
    )
    group.addoption(
        "--index-proxy",
        default=os.environ.get(PROXY_ENV),
        help=f"the local package cache pages reach the index through (default: ${PROXY_ENV})",
    )
    group.addoption(
        "--index-ca",
        default=os.environ.get(CA_ENV),
        help=f"the CA bundle that trusts that cache (default: ${CA_ENV})",
    )
    group.addoption(
        "--index-outage",
        action="store_true",
        default=bool(os.environ.get(OUTAGE_ENV)),
        help="the index is unreachable (a simulated outage): pages that keep the real network "
        f"reach a closed port instead (default: set when ${OUTAGE_ENV} is)",
    )
    group.addoption(
        "--stop-page-at-failure",
        action="store_true",
        default=False,
        help="skip the rest of a page after its first failure (mutation runs, where one "
        "failure decides)",
    )
    group.addoption(
        "--pages-under",
        action="append",
        default=[],
        metavar="DIR",
        help="collect every Markdown file below DIR as a page, as if each were named (the "
        "mutation run's pages: naming 1,300 files made pytest's collection quadratic)",
    )
    group.addoption(
        "--isolation",
        choices=["auto", "namespaces", "environment-only"],
        default="auto",
        help="how pages are kept off the host: namespaces (bubblewrap) where available with "
        "auto; `namespaces` fails the run when they are not",
    )


def pytest_configure(config: pytest.Config) -> None:
    run = GuideRun(config)
    collector = ReportCollector(run)
    config.pluginmanager.register(collector, "uvguide-report")
    config.pluginmanager.register(PageCollector(run, collector), "uvguide-pages")


class PageDocument(Document):
    """A Markdown page, lexed once: its blocks and problems, and the session it runs in."""

    name: str  # the page as the report names it
    digest: str  # of the text as read, so record mode never overwrites a page changed meanwhile
    bad_line: int | None  # the first line that is not valid UTF-8
    options: PageOptions = PageOptions()
    blocks: list[Block]  # what the page runs, in order (display-only blocks left out)
    session: PageSession | None = None
    run: GuideRun | None = None

    @classmethod
    def parse(cls, path: str, *parsers: Any, encoding: str = "utf-8") -> Document:
        """Undecodable bytes become an error on their line, not a traceback."""
        raw = Path(path).read_bytes()
        try:
            text, bad_line = raw.decode(encoding), None
        except UnicodeDecodeError as error:
            text = raw.decode(encoding, errors="replace")
            bad_line = raw[: error.start].count(b"\n") + 1
        document = cls(text, path)
        document.bad_line = bad_line
        document.digest = digest(text)
        for parser in parsers:
            for region in parser(document):
                document.add(region)
        return document

    def evaluate(self, parsed: Block | Problem) -> BlockResult:
        if isinstance(parsed, Problem):
            return BlockResult(
                page=parsed.page.as_posix(), line=parsed.line, language="", kind="page",
                mode=Mode.RUN, outcome=Outcome.ERROR,
                failure=FailureClass.MALFORMED, message=parsed.message,
            )  # fmt: skip
        assert self.session is not None and self.run is not None, "opened in the page's setup"
        self.run.note(self.name, parsed.line)
        return self.session.evaluate(parsed)


class PageFile(SybilFile):
    """One page: its setup opens the page's sandbox; its teardown removes the sandbox and, in
    record mode, rewrites the page."""

    def __init__(self, *, run: GuideRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def collect(self) -> Iterator[BlockItem]:
        for sybil in self.sybils:
            document = sybil.parse(self.path)
            self.documents.append(document)
            for example in document.examples():
                yield BlockItem.from_parent(self, sybil=sybil, example=example)

    def setup(self) -> None:
        for document in self.documents:
            assert isinstance(document, PageDocument)
            document.session = self.run.open_page(document.name, document.options, document.blocks)
            document.run = self.run

    def teardown(self) -> None:
        for document in self.documents:
            assert isinstance(document, PageDocument)
            document.session = None
            self.run.close_page(document.name, Path(document.path), document.digest)


class BlockItem(SybilItem):
    """One block (or one problem of the page) as a test."""

    result: BlockResult | None = None

    def runtest(self) -> None:
        document = self.example.document
        assert isinstance(document, PageDocument)
        self.result = result = document.evaluate(self.example.parsed)
        where = f"{result.page}:{result.line}"
        if result.outcome is Outcome.SKIPPED:
            pytest.skip(f"{where}: {result.reason}")
        if result.outcome in (Outcome.FAILED, Outcome.ERROR):
            label = result.failure.value if result.failure else "error"
            raise SybilFailure(self.example, f"{where}: [{label}] {result.message}")


class PageCollector:
    """Collects pages with Sybil; each page is lexed once, and that pass is its inventory."""

    def __init__(self, run: GuideRun, collector: ReportCollector) -> None:
        self.run = run
        self.collector = collector
        self.sybil = Sybil(
            parsers=[self.regions], patterns=["*.md"], document_types={".md": PageDocument}
        )
        # Resolved once per run: the paths on the command line, and --pages-under.
        self.named: set[Path] | None = None
        self.under: list[Path] = []

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> PageFile | None:
        if file_path.suffix != ".md":
            return None
        if self.named is None:
            config = parent.config
            self.named = {Path(arg.split("::")[0]).resolve() for arg in config.args}
            self.under = [Path(d).resolve() for d in config.getoption("pages_under")]
        if (
            file_path in self.named
            or file_path.is_relative_to(self.run.settings.docs)
            or any(file_path.is_relative_to(directory) for directory in self.under)
        ):
            return PageFile.from_parent(parent, path=file_path, sybils=[self.sybil], run=self.run)
        return None

    def regions(self, document: Document) -> list[Region]:
        assert isinstance(document, PageDocument)
        document.name = self.run.page_name(Path(document.path))
        lexer = PageLexer(Path(document.name), self.run.settings.snippets, self.run.page_variables)
        regions, inventory = lex_page(document, lexer)
        self.collector.add_inventory(inventory)
        return regions


def lex_page(document: PageDocument, lexer: PageLexer) -> tuple[list[Region], PageInventory]:
    """Lex the page once: a region per block to run and per problem, and the page's inventory."""
    bad_line = document.bad_line
    items: list[Block | Problem] = []
    if bad_line is not None:
        items.append(Problem(lexer.page, bad_line, "not valid UTF-8"))
    document.options, option_problems = lexer.page_options(document.text)
    items += [
        item
        for item in [*option_problems, *lexer.blocks(document.text)]
        if not (isinstance(item, Problem) and item.line == bad_line)
    ]
    items.sort(key=lambda item: item.line)
    lines = LineTable(document.text)
    if bad_line is not None:
        # A block holding the undecodable bytes would run replacement characters, not what the
        # page says: the error on that line stands in for it.
        at = lines.start(bad_line)
        items = [i for i in items if not (isinstance(i, Block) and i.start <= at < i.end)]
    document.blocks = [i for i in items if isinstance(i, Block) and i.kind is not Kind.DISPLAY]
    regions = []
    for item in items:
        if isinstance(item, Problem):
            start = lines.start(item.line)
            regions.append(Region(start, start + 1, item))
        elif item.kind is not Kind.DISPLAY:
            regions.append(Region(item.start, item.end, item))
    inventory = PageInventory(
        page=lexer.page.as_posix(),
        lines=[item.line for item in items],
        digest=page_digest(document.text, (i for i in items if isinstance(i, Block))),
        display=[
            display_result(item)
            for item in items
            if isinstance(item, Block) and item.kind is Kind.DISPLAY
        ],
    )
    return regions, inventory
