"""The `#>` convention of Python blocks: what each statement prints, checked against its run.

A `#> text` comment after a statement is what that statement prints (the convention of
pytest-examples). The block runs under a small runner that notes which line each `print` came
from, so every comment group is compared with the output of the statement above it.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass

from .matcher import compare

RUNNER = r"""
import builtins, io, json, sys
path, out = sys.argv[1], sys.argv[2]
prints = []
_print = builtins.print
def print(*args, **kwargs):
    target = kwargs.get("file")
    if target is None or target is sys.stdout:
        buffer = io.StringIO()
        _print(*args, **{**kwargs, "file": buffer})
        frame = sys._getframe(1)
        if frame.f_code.co_filename == path:
            prints.append([frame.f_lineno, buffer.getvalue()])
    _print(*args, **kwargs)
builtins.print = print
sys.argv = [path]
try:
    code = compile(open(path, encoding="utf-8").read(), path, "exec")
    exec(code, {"__name__": "__main__", "__file__": path})
finally:
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(prints, handle)
"""

COMMENT = "#>"


@dataclass(frozen=True)
class PrintMismatch:
    """A statement whose `#>` group and prints disagree, and where the group sits in the block."""

    start: int  # 0-based block line where the group starts (or would, after its statement)
    count: int  # how many `#>` lines it has now
    indent: str  # of the group's lines
    actual: list[str]  # what the statement printed
    diff: str

    @property
    def line(self) -> int:
        """1-based block line of the group."""
        return self.start + 1


@dataclass(frozen=True)
class Group:
    start: int  # 0-based line of its first `#>` comment
    indent: str
    lines: list[str]


def expected_groups(source: str) -> dict[int, Group]:
    """`#>` comment groups, keyed by the 1-based line of the statement they follow."""
    groups: dict[int, Group] = {}
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip().startswith(COMMENT):
            anchor = index  # the 1-based number of the line above the group
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            group: list[str] = []
            while index < len(lines) and lines[index].strip().startswith(COMMENT):
                group.append(lines[index].strip()[len(COMMENT) :].removeprefix(" "))
                index += 1
            groups[anchor] = Group(anchor, indent, group)
        else:
            index += 1
    return groups


def statement_ends(source: str) -> dict[int, int]:
    """Map each line to the last line of the innermost simple statement that covers it."""
    ends: dict[int, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and not hasattr(node, "body") and node.end_lineno:
            for line in range(node.lineno, node.end_lineno + 1):
                ends[line] = node.end_lineno
    return ends


def check(source: str, prints: str) -> list[PrintMismatch]:
    """Compare each `#>` group with what its statement printed (`prints`: the runner's JSON).
    A block without any group asserts nothing about its prints, and is not checked."""
    groups = expected_groups(source)
    if not groups:
        return []
    ends = statement_ends(source)
    actual: dict[int, list[str]] = {}
    for line, text in json.loads(prints):
        actual.setdefault(ends.get(line, line), []).extend(text.splitlines())
    lines = source.splitlines()
    mismatches = []
    for anchor in sorted(set(groups) | set(actual)):
        statement = lines[anchor - 1] if 0 < anchor <= len(lines) else ""
        group = groups.get(anchor) or Group(
            anchor, statement[: len(statement) - len(statement.lstrip())], []
        )
        printed = actual.get(anchor, [])
        comparison = compare(group.lines, printed)
        if not comparison.matched:
            mismatches.append(
                PrintMismatch(group.start, len(group.lines), group.indent, printed, comparison.diff)
            )
    return mismatches
