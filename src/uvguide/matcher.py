"""Compare a command's output with the expected lines of a transcript.

Expected lines may elide: a line that is exactly `...` stands for any number of lines, and `[..]`
inside a line for any text on that line. Timings (`in 12ms`) are ignored on both sides.

Judging a match is linear in practice: the expected lines are split at each `...` into segments,
and the segments are found in order, as a shell glob finds its parts. Only when the output does
not match is an alignment computed, for the diff and for record mode, and only on the window
between the longest matching head and tail, so a huge output costs time in proportion to its
size and memory bounded by `ALIGN_CELLS`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

ANY_LINES = "..."
ANY_TEXT = "[..]"
TIMING = re.compile(r"\bin (?:\d+m )?\d+(?:\.\d+)?(?:ms|µs|s)\b")
# A version as packages print theirs, or as a page elides one.
VERSION = re.compile(
    r"(?<![\w.])v?\d+(?:\.(?:\d+|\[\.\.\]))+"  # 4.3.0, v0.1.2, 3.11.[..]
    r"(?:\.?(?:a|b|rc|post|dev)\d*)*"  # 1.0rc1, 2026.10.19.post1
    r"(?:\+[a-z\d]+(?:\.[a-z\d]+)*)?"  # 2.9.1+cpu
    r"(?![\w.])"
)
# The largest window (expected lines times actual lines) aligned line by line; past it, the window
# is recorded wholesale. 250,000 cells take well under a second.
ALIGN_CELLS = 250_000
DIFF_LINES = 200  # the longest diff a failure shows
DIFF_WINDOW = 5_000  # past this many lines on a side, the diff shows the window's start instead

Rewrite = list[int | str]


def normalize_timing(line: str) -> str:
    line = line.rstrip()
    return TIMING.sub("in [TIME]", line) if "in " in line else line


@lru_cache(maxsize=4096)
def _pattern(expected: str) -> re.Pattern[str]:
    parts = normalize_timing(expected).split(ANY_TEXT)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


def line_matches(expected: str, actual: str) -> bool:
    if ANY_TEXT not in expected:
        return normalize_timing(expected) == normalize_timing(actual)
    return _pattern(expected).fullmatch(normalize_timing(actual)) is not None


def is_elision(line: str) -> bool:
    return line.strip() == ANY_LINES


@dataclass(frozen=True)
class Comparison:
    matched: bool
    # The expected lines rewritten to fit the actual output: an int keeps that expected line
    # (with its elisions), a str is a new line (keeping the `[..]` of the line it replaces).
    rewrite: Rewrite
    diff: str

    @property
    def changes(self) -> list[str]:
        """The diff's changed lines alone (`-expected`, `+actual`)."""
        return [
            line
            for line in self.diff.splitlines()
            if line[:1] in "-+" and not line.startswith(("---", "+++"))
        ]

    def recorded(self, expected: Sequence[str]) -> list[str]:
        """What record mode changes in the page: `-expected` and `+written` lines, the written
        ones with the elisions they keep (not the raw output that `changes` shows)."""
        written = [expected[item] if isinstance(item, int) else item for item in self.rewrite]
        lines = []
        opcodes = difflib.SequenceMatcher(None, expected, written, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in opcodes:
            if tag != "equal":
                lines += [f"-{line}" for line in expected[i1:i2]]
                lines += [f"+{line}" for line in written[j1:j2]]
        return lines


def compare(expected: Sequence[str], actual: Sequence[str]) -> Comparison:
    if matches(expected, actual):
        return Comparison(True, list(range(len(expected))), "")
    head, tail = _common_ends(expected, actual)
    window_expected = expected[head : len(expected) - tail]
    window_actual = actual[head : len(actual) - tail]
    middle = _align(window_expected, window_actual)
    rewrite: Rewrite = [
        *range(head),
        *(item + head if isinstance(item, int) else item for item in middle),
        *range(len(expected) - tail, len(expected)),
    ]
    return Comparison(False, rewrite, _diff(expected, actual, head, tail))


def matches(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether actual fits expected, `...` and `[..]` included, in one pass over the output."""
    segments: list[list[str]] = [[]]
    for line in expected:
        if is_elision(line):
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return len(expected) == len(actual) and _segment_at(segments[0], actual, 0)
    first, *middle, last = segments
    if len(first) + len(last) > len(actual):
        return False
    if not _segment_at(first, actual, 0) or not _segment_at(last, actual, len(actual) - len(last)):
        return False
    position, end = len(first), len(actual) - len(last)
    for segment in middle:
        found = _find(segment, actual, position, end)
        if found is None:
            return False
        position = found + len(segment)
    return True


def differs_only_in_versions(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether the output would fit with every version number, on both sides, taken out."""

    def unversioned(lines: Sequence[str]) -> list[str]:
        return [VERSION.sub("<version>", normalize_timing(line)) for line in lines]

    return matches(unversioned(expected), unversioned(actual))


def _segment_at(segment: Sequence[str], actual: Sequence[str], start: int) -> bool:
    return all(line_matches(line, actual[start + k]) for k, line in enumerate(segment))


def _find(segment: Sequence[str], actual: Sequence[str], start: int, end: int) -> int | None:
    """The first position in actual[start:end] where segment matches, leftmost as a glob is."""
    for position in range(start, end - len(segment) + 1):
        if _segment_at(segment, actual, position):
            return position
    return None


def _common_ends(expected: Sequence[str], actual: Sequence[str]) -> tuple[int, int]:
    """How many leading and trailing lines match one to one (stopping at an elision)."""
    head = 0
    limit = min(len(expected), len(actual))
    while (
        head < limit
        and not is_elision(expected[head])
        and line_matches(expected[head], actual[head])
    ):
        head += 1
    tail = 0
    while (
        tail < limit - head
        and not is_elision(expected[-1 - tail])
        and line_matches(expected[-1 - tail], actual[-1 - tail])
    ):
        tail += 1
    return head, tail


def _align(expected: Sequence[str], actual: Sequence[str]) -> Rewrite:
    """Expected lines rewritten to fit actual, keeping what still matches."""
    n, m = len(expected), len(actual)
    if n * m > ALIGN_CELLS:
        # Too large to align line by line: record the window as it now is.
        return [
            keep_elisions(expected[k], line) if k < n else line for k, line in enumerate(actual)
        ]
    # cost[i][j]: edits needed to align expected[i:] with actual[j:].
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m - 1, -1, -1):
        cost[n][j] = cost[n][j + 1] + 1
    for i in range(n - 1, -1, -1):
        elide = is_elision(expected[i])
        cost[i][m] = cost[i + 1][m] + (0 if elide else 1)
        for j in range(m - 1, -1, -1):
            if elide:
                cost[i][j] = min(cost[i + 1][j], cost[i][j + 1])
            else:
                same = 0 if line_matches(expected[i], actual[j]) else 1
                cost[i][j] = min(cost[i + 1][j + 1] + same, cost[i + 1][j] + 1, cost[i][j + 1] + 1)
    return _walk(expected, actual, cost)


def _walk(expected: Sequence[str], actual: Sequence[str], cost: list[list[int]]) -> Rewrite:
    """Follow the cheapest alignment. On a tie an elision ends rather than swallow a line, so
    a changed line is recorded in place instead of vanishing into a `...`."""
    out: Rewrite = []
    i = j = 0
    n, m = len(expected), len(actual)
    while i < n or j < m:
        if i < n and is_elision(expected[i]):
            if j < m and cost[i][j] == cost[i][j + 1] and cost[i][j] < cost[i + 1][j]:
                j += 1  # the elision swallows this actual line
                continue
            out.append(i)
            i += 1
        elif (
            i < n
            and j < m
            and cost[i][j]
            == cost[i + 1][j + 1] + (0 if line_matches(expected[i], actual[j]) else 1)
        ):
            matched = line_matches(expected[i], actual[j])
            out.append(i if matched else keep_elisions(expected[i], actual[j]))
            i, j = i + 1, j + 1
        elif i < n and cost[i][j] == cost[i + 1][j] + 1:
            i += 1
        else:
            out.append(actual[j])
            j += 1
    return out


TOKEN = re.compile(r"\d+|[^\W\d]+|\s+|.", re.DOTALL)


def keep_elisions(expected: str, actual: str) -> str:
    """The actual line, with each `[..]` of the expected line put back over the text it now
    stands for, wherever the words around it still line up (aligned word by word, so a
    changed number next to an elision does not drag the elision into it)."""
    if ANY_TEXT not in expected:
        return actual
    template: list[str | None] = []  # None marks an elision
    for number, part in enumerate(expected.split(ANY_TEXT)):
        if number:
            template.append(None)
        template += TOKEN.findall(part)
    tokens = TOKEN.findall(actual)
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    blocks = [
        block
        for block in difflib.SequenceMatcher(
            None, template, tokens, autojunk=False
        ).get_matching_blocks()
        if block.size
    ]
    spans: list[tuple[int, int]] = []
    for position, item in enumerate(template):
        if item is not None:
            continue
        before = [b for b in blocks if b.a + b.size <= position]
        after = [b for b in blocks if b.a > position]
        # An elision is kept only where a word next to it still matches, and over some text.
        anchored = (before and before[-1].a + before[-1].size == position) or (
            after and after[0].a == position + 1
        )
        start = before[-1].b + before[-1].size if before else 0
        end = after[0].b if after else len(tokens)
        if anchored and start < end and (not spans or spans[-1][1] <= start):
            spans.append((start, end))
    for start, end in reversed(spans):
        actual = actual[: offsets[start]] + ANY_TEXT + actual[offsets[end] :]
    return actual


def _diff(expected: Sequence[str], actual: Sequence[str], head: int, tail: int) -> str:
    """A unified diff, bounded in time and length: past `DIFF_WINDOW` lines, the first lines of
    each side from where they part."""
    if max(len(expected), len(actual)) <= DIFF_WINDOW:
        lines = list(
            difflib.unified_diff(
                list(expected), list(actual), "expected", "actual", lineterm="", n=2
            )
        )
    else:
        lines = [
            f"(outputs part at line {head + 1}; {len(expected)} lines expected, "
            f"{len(actual)} printed; the first lines of each from there)",
            *(f"-{line}" for line in expected[head : head + 20]),
            *(f"+{line}" for line in actual[head : head + 20]),
        ]
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"... ({len(lines) - DIFF_LINES} more diff lines)"]
    return "\n".join(lines)
