"""The compatibility details page lists failing commands; a script must stay inside its item."""

from __future__ import annotations

import json
from pathlib import Path

from uvguide.site.macros import compatibility_details


def test_a_multiline_failing_command_stays_in_a_code_block_under_its_item(tmp_path: Path):
    data = tmp_path / "data"
    (data / "compat").mkdir(parents=True)
    run = {
        "uv_version": "0.9.30",
        "pages": {"docs/a.md": {"output": 1}},
        "failing": [
            {"page": "docs/a.md", "line": 7, "class": "output", "command": "uv --version"},
            {"page": "docs/a.md", "line": 9, "class": "exit-status",
             "command": "# a comment line\nuv sync `--locked`\n"},
        ],
    }  # fmt: skip
    (data / "compat" / "0.9.30.json").write_text(json.dumps(run), encoding="utf-8")

    lines = compatibility_details(data).splitlines()

    assert "- line 7, output: `uv --version`" in lines
    item = lines.index("- line 9, exit status:")
    assert lines[item + 1 : item + 6] == [
        "",
        "    ``` { .text .no-copy }",
        "    # a comment line",
        "    uv sync `--locked`",
        "    ```",
    ]
    # Only the page's own headings start a line with '#': a script's comment never does.
    headings = [line for line in lines if line.startswith("#")]
    assert headings == ["## uv 0.9.30", "### a.md { #uv-0-9-30-a }"]
