"""Mutation testing of the guide: change one thing on a page, run the page, and see whether it
fails. A change the page does not notice (a mutant that survives) marks a check that is not one.

    python -m uvguide.mutation [--sample N | --all] [--seed S] [--workers N] [PAGE ...]

The kinds of change (`blocks.MutantKind`):

- flag: an unknown flag appended to the uv command of a transcript command (where a reader
  would append one: after a `uv run` target it goes to the program, and may go unnoticed);
- specifier: the last number of a version specifier (or `tool@version`) moved up by one;
- output: one expected output line that has no elision, changed;
- status: an expected failure's status moved by one, or the failure no longer expected;
- file: one line of a file block, or of the snippet it includes, removed.

Each mutant is written to `build/mutants/` (`--out DIR` moves it) as a page of its own, next to
an unchanged copy of each page it comes from (the baseline). One pytest run (xdist) runs them
all, each page stopping at its first failure. A mutant is killed when a block of its page fails
for a reason that judges the page (usage, exit status, output, malformed), not judged when only
the environment failed or its unchanged page fails too, and survives when its page passes. A
block may mark a kind of mutant as unable to change it (`equivalent="kind: why"`): those are
counted apart, never run.
Writes `build/mutation-report.json` and prints one line.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from . import report, transcript
from .blocks import Block, Kind, Mode, MutantKind, current_platform, page_digest
from .files import write_atomically
from .forwarding import run_forwarding_signals
from .lexer import PageLexer
from .plugin import PAGES_ONLY
from .results import FailureClass, Outcome
from .settings import Settings, load
from .uv_calls import uv_invocations

FLAG = "--uvdoc-mutant-flag"
SEGMENT = re.compile(r"\s(?:\|\||&&|\||;)\s")
SPECIFIER = re.compile(r"(?:[\w.\-\]]+(?:==|>=|<=|~=|!=|<|>)|@)(?P<version>\d+(?:\.\d+)*)")
ANNOTATION_STATUS = re.compile(r"expect-fail(?: status=(?P<status>\d+))?")
JUDGING = {
    FailureClass.USAGE,
    FailureClass.EXIT_STATUS,
    FailureClass.OUTPUT,
    FailureClass.MALFORMED,
}
RUN_MODES = (Mode.RUN, Mode.EXPECT_FAIL, Mode.HIDDEN)


class MutationRunIncomplete(Exception):
    """The pages did not all run: no verdict can be given."""

    def __init__(self, message: str, exit_status: int) -> None:
        super().__init__(message)
        self.exit_status = exit_status


@dataclass(frozen=True)
class Mutant:
    id: str
    kind: MutantKind
    page: str  # the page it changes, project-relative
    line: int  # the page line it changes
    description: str
    text: str  # the whole changed page
    equivalent: str = ""  # why it cannot change the block, when the block says so


@dataclass
class Page:
    """A page's text as lines (endings kept), so a mutant changes exactly one place."""

    name: str
    lines: list[str]
    blocks: list[Block]
    digest: str  # blocks.page_digest

    def with_line(self, index: int, new: str | None) -> str:
        """The page with 0-based line `index` replaced (None: removed)."""
        lines = list(self.lines)
        if new is None:
            del lines[index]
        else:
            ending = lines[index][len(lines[index].rstrip("\r\n")) :]
            lines[index] = new + ending
        return "".join(lines)

    def line(self, index: int) -> str:
        return self.lines[index].rstrip("\r\n")


def pages(settings: Settings, chosen: list[Path]) -> list[Page]:
    found = []
    for path in chosen or sorted(settings.docs.rglob("*.md")):
        name = path.resolve().relative_to(settings.root).as_posix()
        text = path.read_text(encoding="utf-8")
        lexer = PageLexer(Path(name), settings.snippets, settings.page_variables())
        blocks = [b for b in lexer.blocks(text) if isinstance(b, Block)]
        found.append(Page(name, text.splitlines(keepends=True), blocks, page_digest(text, blocks)))
    return found


def mutants(page: Page, rng: random.Random) -> list[Mutant]:
    """Every mutant of a page, in page order."""
    made: list[tuple[MutantKind, int, str, str, Block]] = []
    for block in page.blocks:
        if block.kind is Kind.DISPLAY or block.mode is Mode.SKIP:
            continue
        runs = block.mode in RUN_MODES and not block.platforms and not block.needs
        if block.kind is Kind.CONSOLE:
            for command in transcript.parse(block.body):
                made += [(*m, block) for m in _command_mutants(page, block, command, runs, rng)]
        if runs and block.kind is Kind.FILE:
            made += [(*m, block) for m in _file_mutants(page, block, rng)]
        if block.mode is Mode.EXPECT_FAIL:
            made += [(*m, block) for m in _status_mutants(page, block)]
    return [
        Mutant(
            id="", kind=kind, page=page.name, line=index + 1, description=what, text=text,
            equivalent=block.equivalent.get(kind, ""),
        )
        for kind, index, what, text, block in made
    ]  # fmt: skip


def _command_mutants(
    page: Page, block: Block, command: transcript.Command, runs: bool, rng: random.Random
) -> list[tuple[MutantKind, int, str, str]]:
    made = []
    first = block.body_line - 1 + command.offset
    last = first + command.text.count("\n")
    if uv_invocations(command.text) and not page.line(last).rstrip().endswith("\\"):
        line = page.line(last)
        # A continued command ends on a line of its own arguments: the flag goes at its end.
        changed = _append_flag(line) if last == first else f"{line.rstrip()} {FLAG}"
        if changed != line:
            what = f"`{FLAG}` added to `{command.text}`"
            made.append((MutantKind.FLAG, last, what, page.with_line(last, changed)))
    if not runs:
        return made
    for index in range(first, last + 1):
        line = page.line(index)
        prompt = PROMPT.match(line).end()  # type: ignore[union-attr]
        if uv_invocations(line[prompt:]) and (match := SPECIFIER.search(line, prompt)):
            version = match["version"]
            parts = version.split(".")
            moved = ".".join([*parts[:-1], str(int(parts[-1]) + 1)])
            changed = line[: match.start("version")] + moved + line[match.end("version") :]
            what = f"{version} became {moved} in `{line.strip()}`"
            made.append((MutantKind.SPECIFIER, index, what, page.with_line(index, changed)))
            break
    plain = [
        offset
        for offset, expected in enumerate(command.expected)
        if expected.strip() and "[..]" not in expected and expected.strip() != "..."
    ]
    if plain:
        index = block.body_line - 1 + command.output_offset + rng.choice(plain)
        what = f"output line `{page.line(index).strip()}` changed"
        made.append(
            (MutantKind.OUTPUT, index, what, page.with_line(index, f"{page.line(index)} (mutant)"))
        )
    return made


PROMPT = re.compile(r"^\s*(?:\$ |> )?")


def _append_flag(line: str) -> str:
    """The line with the flag at the end of its first uv segment (before a pipe or `&&`)."""
    start = PROMPT.match(line).end()  # type: ignore[union-attr]
    for separator in [*SEGMENT.finditer(line), None]:
        end = separator.start() if separator else len(line)
        if uv_invocations(line[start:end]):
            return f"{line[:end].rstrip()} {FLAG}{line[end:]}"
        start = separator.end() if separator else len(line)
    return line


def _file_mutants(
    page: Page, block: Block, rng: random.Random
) -> list[tuple[MutantKind, int, str, str]]:
    """One line of a file removed: in the page, or in the snippet it includes (inlined)."""
    body = block.body.splitlines()
    candidates = [
        i for i, line in enumerate(body) if line.strip() and not line.lstrip().startswith("#")
    ]
    if not candidates:
        return []
    removed = rng.choice(candidates)
    if not block.includes:
        index = block.body_line - 1 + removed
        what = f"line `{page.line(index).strip()}` of {block.title} removed"
        return [(MutantKind.FILE, index, what, page.with_line(index, None))]
    include = next(
        i for i in range(block.body_line - 1, len(page.lines)) if "--8<--" in page.line(i)
    )
    indent = page.line(include)[: len(page.line(include)) - len(page.line(include).lstrip())]
    inlined = "\n".join(indent + line for j, line in enumerate(body) if j != removed)
    what = f"line `{body[removed].strip()}` of {block.title} removed"
    return [(MutantKind.FILE, include, what, page.with_line(include, inlined))]


def _status_mutants(page: Page, block: Block) -> list[tuple[MutantKind, int, str, str]]:
    index = block.line - 2  # the annotation sits above the fence, past blank lines
    while index > 0 and not page.line(index).strip():
        index -= 1
    line = page.line(index)
    match = ANNOTATION_STATUS.search(line)
    if match is None:
        return []
    dropped = line[: match.start()] + "run" + line[match.end() :]
    made = [(MutantKind.STATUS, index, "expect-fail dropped", page.with_line(index, dropped))]
    if status := match["status"]:
        moved = line.replace(f"status={status}", f"status={int(status) + 1}")
        what = f"status={status} became status={int(status) + 1}"
        made.append((MutantKind.STATUS, index, what, page.with_line(index, moved)))
    return made


def sample(every: list[Mutant], size: int | None, rng: random.Random) -> list[Mutant]:
    """All of them, or `size` taken in turn from each kind (shuffled with the seed)."""
    if size is None or size >= len(every):
        return every
    by_kind: dict[MutantKind, list[Mutant]] = defaultdict(list)
    for mutant in every:
        by_kind[mutant.kind].append(mutant)
    for group in by_kind.values():
        rng.shuffle(group)
    chosen: list[Mutant] = []
    while len(chosen) < size:
        for kind in MutantKind:
            if by_kind[kind] and len(chosen) < size:
                chosen.append(by_kind[kind].pop())
    return sorted(chosen, key=lambda m: (m.page, m.line))


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    verdict: str  # killed | survived | not judged | equivalent
    detail: str


def passed_unchanged(settings: Settings, pages: list[Page], baseline: Path) -> set[str]:
    """The pages a complete run of the guide with this uv, on this platform, passed exactly as
    they are now (same digest): their unchanged copies need not run again."""
    try:
        ran = report.read(baseline)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"mutation: {baseline} is no report ({error}): baselines run", file=sys.stderr)
        return set()
    if (ran.run.status, ran.run.uv_version, ran.run.platform) != (
        "complete",
        settings.uv_version,
        current_platform().value,
    ):
        return set()
    failing = {r.page for r in ran.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)}
    return {p.name for p in pages if ran.digests.get(p.name) == p.digest} - failing


def judge(mutant: Mutant, results: list, baseline_broken: set[str]) -> Verdict:
    if mutant.page in baseline_broken:
        return Verdict(mutant, "not judged", "the unchanged page fails too")
    failures = [r for r in results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    judging = [r for r in failures if r.failure in JUDGING]
    if judging:
        first = judging[0]
        return Verdict(mutant, "killed", f"line {first.line}: {first.failure}")
    if failures:
        return Verdict(mutant, "not judged", f"only the environment failed: {failures[0].failure}")
    return Verdict(mutant, "survived", "its page passed")


def run(
    settings: Settings, chosen: list[Mutant], workers: str, bases: list[Page], out: Path
) -> list[Verdict]:
    directory = out / "mutants"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    runnable = [m for m in chosen if not m.equivalent]
    for mutant in runnable:
        (directory / f"{mutant.id}.md").write_text(mutant.text, encoding="utf-8")
    baseline_ids = {}
    for number, page in enumerate(bases):
        name = f"base{number:03d}"
        baseline_ids[name] = page.name
        (directory / f"{name}.md").write_text("".join(page.lines), encoding="utf-8")
    runs = out / "mutants-report.json"
    runs.unlink(missing_ok=True)  # a report left by an earlier run must not pass for this one's
    if not runnable:  # nothing to run: every mutant is marked equivalent, or there is none
        return [Verdict(m, "equivalent", m.equivalent) for m in chosen]
    # Pages outside docs/ are collected only when named, here as the folder that holds them.
    status = run_forwarding_signals(
        [sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:cacheprovider", *PAGES_ONLY,
         "-n", workers, "--dist", "loadfile", "--stop-page-at-failure",
         f"--examples-report={runs}", f"--pages-under={directory}", str(directory)],
        cwd=settings.root, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if not runs.is_file():
        raise MutationRunIncomplete(
            f"pytest ended with status {status} and wrote no report: `pytest {directory}` says why",
            exit_status=2,
        )
    ran = report.read(runs)
    if ran.run.status != "complete":
        # An interrupted run would count every mutant it never reached as a survivor.
        raise MutationRunIncomplete(
            f"the run of the mutants is {ran.run.status}: no verdicts", exit_status=130
        )
    results = defaultdict(list)
    for result in ran.results:
        results[Path(result.page).stem].append(result)
    broken = {
        baseline_ids[name]
        for name in baseline_ids
        if any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in results[name])
    }
    return [
        Verdict(m, "equivalent", m.equivalent) if m.equivalent else judge(m, results[m.id], broken)
        for m in chosen
    ]


def summarize(verdicts: list[Verdict], seconds: float, seed: int, size: int | None) -> dict:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for verdict in verdicts:
        by_kind[verdict.mutant.kind.value][verdict.verdict] += 1
    killed = sum(c["killed"] for c in by_kind.values())
    judged = killed + sum(c["survived"] for c in by_kind.values())
    return {
        "seed": seed,
        "sample": size,
        "mutants": len(verdicts),
        "seconds": round(seconds, 1),
        "score": round(100 * killed / judged, 1) if judged else None,
        "kinds": {kind: dict(counts) for kind, counts in sorted(by_kind.items())},
        "survivors": [
            {"kind": v.mutant.kind.value, "page": v.mutant.page, "line": v.mutant.line,
             "change": v.mutant.description}
            for v in verdicts if v.verdict == "survived"
        ],
        "not_judged": [
            {"kind": v.mutant.kind.value, "page": v.mutant.page, "line": v.mutant.line,
             "why": v.detail}
            for v in verdicts if v.verdict == "not judged"
        ],
        "equivalent": [
            {"kind": v.mutant.kind.value, "page": v.mutant.page, "line": v.mutant.line,
             "why": v.detail}
            for v in verdicts if v.verdict == "equivalent"
        ],
    }  # fmt: skip


def one_line(data: dict) -> str:
    kinds = ", ".join(
        f"{kind} {c.get('killed', 0)}/{c.get('killed', 0) + c.get('survived', 0)}"
        for kind, c in data["kinds"].items()
    )
    score = "no mutant judged" if data["score"] is None else f"{data['score']}% killed ({kinds})"
    return (
        f"mutation: {score}; {len(data['survivors'])} survived, "
        f"{len(data['not_judged'])} not judged, {len(data['equivalent'])} equivalent; "
        f"{data['mutants']} mutants in {data['seconds']:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("pages", nargs="*", type=Path, help="pages to mutate (default: all)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--sample", type=int, default=None, help="how many mutants, spread over kinds"
    )
    size.add_argument("--all", action="store_true", help="every mutant (the default)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--workers", default="4")
    parser.add_argument(
        "--out", type=Path, default=None, help="where mutants and reports go (default: build/)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="an examples report: pages it passed unchanged are not run again as baselines",
    )
    args = parser.parse_args(argv)
    settings = load()
    out = (args.out or settings.build).resolve()
    if not out.is_relative_to(settings.root):
        # A mutant must run as a page of this project does: its configuration, its snippets.
        parser.error(f"--out {out}: must be inside the project ({settings.root})")
    rng = random.Random(args.seed)
    found = pages(settings, args.pages)
    every = [m for page in found for m in mutants(page, rng)]
    chosen = sample(every, None if args.all else args.sample, rng)
    chosen = [replace(m, id=f"m{number:04d}") for number, m in enumerate(chosen, 1)]
    bases = [page for page in found if any(m.page == page.name for m in chosen)]
    if args.baseline:
        good = passed_unchanged(settings, bases, args.baseline)
        print(f"mutation: {len(good)} of {len(bases)} pages passed unchanged in {args.baseline}")
        bases = [page for page in bases if page.name not in good]
    started = time.monotonic()
    try:
        verdicts = run(settings, chosen, args.workers, bases, out)
    except MutationRunIncomplete as error:
        print(f"mutation: {error}", file=sys.stderr)
        return error.exit_status
    data = summarize(
        verdicts, time.monotonic() - started, args.seed, None if args.all else args.sample
    )
    data["generated"] = len(every)
    write_atomically(out / "mutation-report.json", json.dumps(data, indent=1) + "\n")
    print(one_line(data))
    print(f"report: {out / 'mutation-report.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
