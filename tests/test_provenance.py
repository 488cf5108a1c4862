"""A page's footer says what happens to its blocks, computed from the blocks themselves."""

from __future__ import annotations

from pathlib import Path

from uvguide.blocks import Block, Platform
from uvguide.lexer import PageLexer
from uvguide.settings import load
from uvguide.site.provenance import Provenance, from_annotations, sentence

PAGE = """\
# A page

```console
$ uv --version
uv [..]
```

<!-- test: no-run reason="installs system-wide" -->

```console
$ uv pip install --system six
```

<!-- test: run platform=macos -->

```console
$ uv pip list
```

<!-- test: run needs=download.pytorch.org -->

```console
$ uv pip install torch
```

```pwsh-session
PS> uv --version
```

```text
shown only
```
"""


def blocks(text: str) -> list[Block]:
    settings = load()
    lexer = PageLexer(Path("docs/page.md"), settings.snippets, settings.page_variables())
    return [b for b in lexer.blocks(text) if isinstance(b, Block)]


def test_every_executable_block_is_counted_once_with_its_reason() -> None:
    provenance = from_annotations(blocks(PAGE), Platform.LINUX)
    assert provenance.ran == 1
    assert dict(provenance.checked) == {
        "installs system-wide": 1,
        "for macOS readers": 1,
        "run only where download.pytorch.org answers": 1,
        "PowerShell, for Windows readers": 1,
    }
    assert provenance.total == 5


def test_a_block_for_the_platform_of_the_run_runs() -> None:
    provenance = from_annotations(blocks(PAGE), Platform.MACOS)
    assert provenance.ran == 2
    assert "for macOS readers" not in provenance.checked


def test_the_footer_names_the_platform_and_every_reason() -> None:
    settings = load()
    text = sentence(from_annotations(blocks(PAGE), Platform.LINUX), settings)
    assert text.startswith(f"Tested with uv {settings.uv_version}, packages as of ")
    assert "The tests run 1 of this page's 5 blocks on Linux" in text
    assert "1 only checked (installs system-wide)" in text


def test_a_failed_run_is_never_hidden() -> None:
    provenance = Provenance(ran=3, failed=1, run="the test run of 2026-11-25 on Linux")
    text = sentence(provenance, load())
    assert "In the test run of 2026-11-25 on Linux, 3 of this page's 4 blocks ran" in text
    assert text.endswith("; 1 failed.")
