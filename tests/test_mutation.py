"""Mutants: each changes one thing a reader would see, where a check should notice it."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

from uvguide.blocks import Block, MutantKind
from uvguide.lexer import PageLexer
from uvguide.mutation import FLAG, Page, judge, mutants, sample
from uvguide.results import FailureClass, Outcome
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
    return Page("docs/page.md", text.splitlines(keepends=True), blocks)


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
