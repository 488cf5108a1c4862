"""Mutants: each changes one thing a reader would see, where a check should notice it."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

from uvguide import report
from uvguide.blocks import Block, MutantKind, current_platform, page_digest
from uvguide.lexer import PageLexer
from uvguide.mutation import FLAG, Page, judge, mutants, passed_unchanged, sample
from uvguide.results import BlockResult, FailureClass, Mode, Outcome
from uvguide.settings import load

PAGE = """\
# Page

```console
$ uv pip compile --no-header --quiet - <<< "six==1.17.0" | grep six
six==1.17.0
```

<!-- test: expect-fail status=2 -->

```console
$ uv pip install --no-such-flag
error: unexpected argument '--no-such-flag' found
```

```toml title="pyproject.toml"
[project]
name = "demo"
```

<!-- test: run equivalent="flag: the script ignores its arguments" -->

```console
$ uv run script.py
hello
```
"""


def page(text: str = PAGE) -> Page:
    settings = load()
    lexer = PageLexer(Path("docs/page.md"), settings.snippets, settings.page_variables())
    blocks = [b for b in lexer.blocks(text) if isinstance(b, Block)]
    return Page("docs/page.md", text.splitlines(keepends=True), blocks, page_digest(text, blocks))


def by_kind(made: list) -> dict[MutantKind, list]:
    found: dict[MutantKind, list] = {}
    for mutant in made:
        found.setdefault(mutant.kind, []).append(mutant)
    return found


def test_every_kind_changes_one_line_of_the_page() -> None:
    made = by_kind(mutants(page(), random.Random(1)))
    original = PAGE.splitlines()
    for mutant in (m for group in made.values() for m in group):
        changed = mutant.text.splitlines()
        if mutant.kind is MutantKind.FILE:
            assert len(changed) == len(original) - 1
        else:
            assert [
                i for i, (a, b) in enumerate(zip(original, changed, strict=True)) if a != b
            ] == [mutant.line - 1]
    assert {m.description for m in made[MutantKind.STATUS]} == {
        "expect-fail dropped",
        "status=2 became status=3",
    }
    assert made[MutantKind.SPECIFIER][0].description.startswith("1.17.0 became 1.17.1")
    assert "six==1.17.0 (mutant)" in made[MutantKind.OUTPUT][0].text


def test_the_flag_goes_on_the_uv_command_not_on_the_pipe() -> None:
    flags = by_kind(mutants(page(), random.Random(1)))[MutantKind.FLAG]
    first = flags[0].text.splitlines()[3]
    assert first == f'$ uv pip compile --no-header --quiet - <<< "six==1.17.0" {FLAG} | grep six'


def test_a_block_marks_what_cannot_change_it_with_a_reason() -> None:
    flags = by_kind(mutants(page(), random.Random(1)))[MutantKind.FLAG]
    run_script = [m for m in flags if "uv run script.py" in m.description]
    assert [m.equivalent for m in run_script] == ["the script ignores its arguments"]
    assert all(not m.equivalent for m in flags if m not in run_script)


def test_the_sample_is_the_same_for_a_seed_and_spread_over_kinds() -> None:
    every = mutants(page(), random.Random(1))
    first = sample(every, 4, random.Random(7))
    again = sample(mutants(page(), random.Random(1)), 4, random.Random(7))
    assert [m.description for m in first] == [m.description for m in again]
    assert len({m.kind for m in first}) == 4


def result(outcome: Outcome, failure: FailureClass | None = None) -> SimpleNamespace:
    return SimpleNamespace(outcome=outcome, failure=failure, line=3)


def test_only_a_failure_that_judges_the_page_kills_a_mutant() -> None:
    mutant = mutants(page(), random.Random(1))[0]
    assert judge(mutant, [result(Outcome.PASSED)], set()).verdict == "survived"
    killed = judge(mutant, [result(Outcome.FAILED, FailureClass.OUTPUT)], set())
    assert killed.verdict == "killed"
    offline = judge(mutant, [result(Outcome.ERROR, FailureClass.ENVIRONMENT)], set())
    assert offline.verdict == "not judged"
    broken = judge(mutant, [result(Outcome.FAILED, FailureClass.OUTPUT)], {mutant.page})
    assert broken.verdict == "not judged"


def examples_report(path: Path, digests: dict[str, str], outcome: Outcome, **run: str) -> Path:
    info = report.RunInfo(
        **{"id": "r1", "started_at": "2026-12-01T00:00:00+00:00", "finished_at": None,
           "status": "complete", "uv_version": load().uv_version, "uv_path": "uv",
           "isolation": "namespaces", "platform": current_platform().value, "limits": {},
           "workers": 1, "wall_s": 1.0, **run}
    )  # fmt: skip
    block = BlockResult("docs/page.md", 3, "console", "console", Mode.RUN, outcome)
    report.write(path, info, [block], digests)
    return path


def test_a_page_the_examples_run_passed_unchanged_needs_no_baseline(tmp_path: Path) -> None:
    settings, unchanged = load(), page()
    same = {"docs/page.md": unchanged.digest}
    passed = examples_report(tmp_path / "a.json", same, Outcome.PASSED)
    assert passed_unchanged(settings, [unchanged], passed) == {"docs/page.md"}
    # Any doubt runs the baseline: an edited page, a failure, another uv, a partial run.
    edited = page(PAGE.replace("hello", "hello!"))
    assert passed_unchanged(settings, [edited], passed) == set()
    failed = examples_report(tmp_path / "b.json", same, Outcome.FAILED)
    assert passed_unchanged(settings, [unchanged], failed) == set()
    other_uv = examples_report(tmp_path / "c.json", same, Outcome.PASSED, uv_version="0.1.0")
    assert passed_unchanged(settings, [unchanged], other_uv) == set()
    partial = examples_report(tmp_path / "d.json", same, Outcome.PASSED, status="running")
    assert passed_unchanged(settings, [unchanged], partial) == set()
    (tmp_path / "e.json").write_text("{}", encoding="utf-8")
    assert passed_unchanged(settings, [unchanged], tmp_path / "e.json") == set()
