"""The output matcher: elisions, timings, and the expected lines record mode writes back."""

from __future__ import annotations

import pytest

from uvguide.matcher import compare, differs_only_in_versions, line_matches


def test_identical_output_matches():
    assert compare(["a", "b"], ["a", "b"]).matched


def test_a_changed_line_does_not_match_and_shows_a_diff():
    comparison = compare(["a", "b"], ["a", "c"])
    assert not comparison.matched
    assert "-b" in comparison.diff and "+c" in comparison.diff


def test_an_ellipsis_line_stands_for_any_number_of_lines():
    assert compare(["a", "...", "z"], ["a", "z"]).matched
    assert compare(["a", "...", "z"], ["a", "b", "c", "z"]).matched
    assert not compare(["a", "...", "z"], ["a", "b"]).matched


def test_an_inline_elision_stands_for_any_text_on_its_line():
    assert line_matches("uv [..] (x86_64)", "uv 1.2.3 (x86_64)")
    assert not line_matches("uv [..] (x86_64)", "uv 1.2.3 (aarch64)")


def test_timings_are_ignored():
    assert line_matches("Resolved 3 packages in 12ms", "Resolved 3 packages in 1.2s")
    assert not line_matches("Resolved 3 packages in 12ms", "Resolved 4 packages in 12ms")


def test_missing_and_extra_lines_do_not_match():
    assert not compare(["a", "b"], ["a"]).matched
    assert not compare(["a"], ["a", "b"]).matched


def test_record_keeps_matching_lines_and_their_elisions():
    expected = ["uv [..]", "...", "old"]
    recorded = compare(expected, ["uv 1.0", "x", "y", "new"]).rewrite
    # 0 and 1 are kept as written (with their elisions); the changed line is replaced.
    assert recorded == [0, 1, "new"]


def test_record_adds_and_drops_lines():
    assert compare(["a", "c"], ["a", "b", "c"]).rewrite == [0, "b", 1]
    assert compare(["a", "b", "c"], ["a", "c"]).rewrite == [0, 2]


def test_record_keeps_an_elision_inside_a_changed_line():
    comparison = compare(["Removed [..] files ([..]MiB)"], ["Removed 14 files (4.0KiB)"])
    assert comparison.rewrite == ["Removed [..] files ([..])"]
    comparison = compare(["Using CPython 3.11.[..] at [..]"], ["Using CPython 3.12.1 at /usr/bin"])
    assert comparison.rewrite == ["Using CPython 3.12.[..] at [..]"]


def test_an_elision_with_nothing_left_around_it_is_dropped():
    assert compare(["a [..] b"], ["zzz"]).rewrite == ["zzz"]


def test_huge_outputs_are_judged_and_diffed_without_a_quadratic_table():
    expected = [f"line {n}" for n in range(730_000)]
    assert compare(expected, list(expected)).matched
    changed = list(expected)
    changed[400_000] = "changed"
    comparison = compare(expected, changed)
    assert not comparison.matched
    assert comparison.rewrite[400_000] == "changed" and comparison.rewrite[:3] == [0, 1, 2]
    assert len(comparison.diff.splitlines()) < 250


def test_what_record_mode_writes_is_reported_with_the_elisions_it_keeps():
    expected = ["Using Python 3.11.[..] environment at: ~[..]deploy-env", "fastapi 1.0"]
    actual = ["Using Python 3.11.7 environment at: ../deploy-env", "fastapi 1.0"]
    comparison = compare(expected, actual)
    assert comparison.changes[1] == "+Using Python 3.11.7 environment at: ../deploy-env"
    assert comparison.recorded(expected) == [
        "-Using Python 3.11.[..] environment at: ~[..]deploy-env",
        "+Using Python 3.11.[..] environment at: [..]deploy-env",
    ]


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (["Resolved 4 packages in 286ms", " + markdown-it-py==4.3.0"],
         ["Resolved 4 packages in 1.90s", " + markdown-it-py==4.2.0"]),
        (["Using CPython 3.11.[..] interpreter", "fastapi 0.165.0"],
         ["Using CPython 3.11.7 interpreter", "fastapi 0.162.0"]),
        (["certifi==2026.10.19.post1", "torch==2.9.1+cpu", "ruff v0.17.6", "..."],
         ["certifi==2026.11.2", "torch==2.10.0", "ruff v0.17.4", "and more"]),
    ],
)  # fmt: skip
def test_outputs_that_differ_in_version_numbers_alone_are_told_apart(expected, actual):
    assert not compare(expected, actual).matched
    assert differs_only_in_versions(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (["Resolved 4 packages"], ["Resolved 5 packages"]),  # a count is not a version
        ([" + idna==3.9"], [" - idna==3.10"]),
        (["idna==3.9"], ["idna==3.9", "six==1.17.0"]),
        (["py3.11"], ["py3.12"]),  # part of a word
    ],
)
def test_other_differences_are_not_put_down_to_versions(expected, actual):
    assert not differs_only_in_versions(expected, actual)
