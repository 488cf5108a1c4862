"""Compare a command's output with the expected lines of a transcript.

Expected lines may elide: a line that is exactly `...` stands for any number of lines, and `[..]`
inside a line for any text on that line. Timings (`in 12ms`) are ignored on both sides. The
matcher aligns the two sides by edit distance, so it can both judge a match (distance 0) and
rewrite the expected lines for record mode while keeping the elisions that still hold.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

ANY_LINES = "..."
ANY_TEXT = "[..]"
TIMING = re.compile(r"\bin (?:\d+m )?\d+(?:\.\d+)?(?:ms|µs|s)\b")


def normalize_timing(line: str) -> str:
    return TIMING.sub("in [TIME]", line.rstrip())


@cache
def _pattern(expected: str) -> re.Pattern[str]:
    parts = normalize_timing(expected).split(ANY_TEXT)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


def line_matches(expected: str, actual: str) -> bool:
    return _pattern(expected).fullmatch(normalize_timing(actual)) is not None


@dataclass(frozen=True)
class Comparison:
    matched: bool
    # The expected lines rewritten to fit the actual output: an int keeps that expected line
    # (with its elisions), a str is an actual line that replaces what was expected.
    recorded: list[int | str]
    diff: str


def compare(expected: Sequence[str], actual: Sequence[str]) -> Comparison:
    n, m = len(expected), len(actual)
    # cost[i][j]: edits needed to align expected[i:] with actual[j:].
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m - 1, -1, -1):
        cost[n][j] = cost[n][j + 1] + 1
    for i in range(n - 1, -1, -1):
        elide = expected[i].strip() == ANY_LINES
        cost[i][m] = cost[i + 1][m] + (0 if elide else 1)
        for j in range(m - 1, -1, -1):
            if elide:
                cost[i][j] = min(cost[i + 1][j], cost[i][j + 1])
            else:
                same = 0 if line_matches(expected[i], actual[j]) else 1
                cost[i][j] = min(cost[i + 1][j + 1] + same, cost[i + 1][j] + 1, cost[i][j + 1] + 1)
    recorded = _walk(expected, actual, cost)
    matched = cost[0][0] == 0
    diff = (
        ""
        if matched
        else "\n".join(
            difflib.unified_diff(
                list(expected), list(actual), "expected", "actual", lineterm="", n=2
            )
        )
    )
    return Comparison(matched=matched, recorded=recorded, diff=diff)


def _walk(expected: Sequence[str], actual: Sequence[str], cost: list[list[int]]) -> list[int | str]:
    """Follow the cheapest alignment, keeping expected lines wherever they still match."""
    out: list[int | str] = []
    i = j = 0
    n, m = len(expected), len(actual)
    while i < n or j < m:
        if i < n and expected[i].strip() == ANY_LINES:
            if j < m and cost[i][j] == cost[i][j + 1]:
                j += 1  # the elision swallows this actual line
                continue
            out.append(i)
            i += 1
        elif (
            i < n
            and j < m
            and line_matches(expected[i], actual[j])
            and (cost[i][j] == cost[i + 1][j + 1])
        ):
            out.append(i)
            i, j = i + 1, j + 1
        elif i < n and j < m and cost[i][j] == cost[i + 1][j + 1] + 1:
            out.append(actual[j])
            i, j = i + 1, j + 1
        elif i < n and cost[i][j] == cost[i + 1][j] + 1:
            i += 1
        else:
            out.append(actual[j])
            j += 1
    return out
