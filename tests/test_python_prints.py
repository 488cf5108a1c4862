"""The `#>` check of Python blocks: each comment group is what the statement above it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from uvguide.python_prints import RUNNER, check, expected_groups

SOURCE = """\
print(1 + 1)
#> 2
for word in ["a", "b"]:
    print(word)
#> a
#> b
"""


def run(source: str, tmp_path: Path) -> Path:
    script, runner, prints = tmp_path / "block.py", tmp_path / "runner.py", tmp_path / "p.json"
    script.write_text(source)
    runner.write_text(RUNNER)
    subprocess.run([sys.executable, runner, script, prints], check=True, capture_output=True)
    return prints


def test_groups_follow_their_statement():
    assert {k: g.lines for k, g in expected_groups(SOURCE).items()} == {1: ["2"], 4: ["a", "b"]}


def test_matching_prints_pass(tmp_path: Path):
    assert check(SOURCE, run(SOURCE, tmp_path).read_text()) == []


def test_a_changed_value_fails(tmp_path: Path):
    changed = SOURCE.replace("#> 2", "#> 3")
    (mismatch,) = check(changed, run(changed, tmp_path).read_text())
    assert mismatch.line == 2 and "-3" in mismatch.diff and "+2" in mismatch.diff


def test_an_unannounced_print_fails(tmp_path: Path):
    source = SOURCE + 'print("surprise")\n'
    (mismatch,) = check(source, run(source, tmp_path).read_text())
    assert "+surprise" in mismatch.diff


def test_a_spaced_comment_is_not_an_expectation():
    # `# > 2` is what ruff's formatter makes of `#> 2`; it must not pass silently as a check.
    assert expected_groups("print(2)\n# > 2\n") == {}


def test_the_runner_records_prints_by_line(tmp_path: Path):
    prints = json.loads(run(SOURCE, tmp_path).read_text())
    assert prints == [[1, "2\n"], [4, "a\n"], [4, "b\n"]]
