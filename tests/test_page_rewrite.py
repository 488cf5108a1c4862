"""Record mode's page rewriting: only expected output changes; the pin becomes the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import page_lexer
from uvguide.blocks import Block
from uvguide.matcher import compare
from uvguide.page_rewrite import Edit, StalePage, apply, digest, rewrite
from uvguide.transcript import parse

PAGE = """# Title

Prose.

```console
$ uv --version
uv 9.9.9 (old)
$ echo kept
kept
```
"""


def edits_for(text: str, actual: dict[str, list[str]]) -> list[Edit]:
    (block,) = [b for b in page_lexer(Path("page.md")).blocks(text) if isinstance(b, Block)]
    return [
        Edit.for_command(block, command, compare(command.expected, actual[command.text]).rewrite)
        for command in parse(block.body)
        if not compare(command.expected, actual[command.text]).matched
    ]


def test_changed_output_is_written_and_the_pin_becomes_the_variable():
    edits = edits_for(PAGE, {"uv --version": ["uv 1.2.3 (new)", "extra"], "echo kept": ["kept"]})
    updated = rewrite(PAGE, edits, "1.2.3")
    assert "uv {{ uv_version }} (new)\nextra\n$ echo kept\nkept\n" in updated
    assert updated.startswith("# Title\n\nProse.\n")


def test_indented_blocks_stay_indented():
    page = PAGE.replace("```console", "    ```console").replace("\n$", "\n    $")
    page = page.replace("\nuv 9", "\n    uv 9").replace("\nkept", "\n    kept")
    page = page.replace("\n```\n", "\n    ```\n")
    edits = edits_for(page, {"uv --version": ["uv 2"], "echo kept": ["kept"]})
    assert "\n    uv 2\n" in rewrite(page, edits, "1.2.3")


def test_apply_is_atomic_and_refuses_a_page_changed_meanwhile(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    edits = edits_for(PAGE, {"uv --version": ["uv 2"], "echo kept": ["kept"]})
    page.write_text(PAGE + "\nchanged meanwhile\n")
    with pytest.raises(StalePage):
        apply(page, digest(PAGE), edits, "1.2.3")
    assert page.read_text().endswith("changed meanwhile\n")
    assert apply(page, digest(page.read_text()), edits, "1.2.3")
    assert list(tmp_path.iterdir()) == [page], "no temporary file left behind"


def test_no_edit_no_write(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    assert not apply(page, digest(PAGE), [], "1.2.3")
