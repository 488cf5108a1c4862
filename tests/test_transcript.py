"""The console transcript parser: commands, continuations, and expected output."""

from __future__ import annotations

import pytest

from uvguide.transcript import POWERSHELL, TranscriptError, parse


def test_commands_and_their_output():
    (first, second) = parse("$ echo a\na\n$ echo b\nb\n")
    assert (first.text, first.expected, first.offset) == ("echo a", ["a"], 0)
    assert (second.text, second.expected, second.offset) == ("echo b", ["b"], 2)


def test_continuation_lines_join_the_command():
    (command,) = parse("$ uv pip install \\\n>   fastapi\nInstalled\n")
    assert command.text == "uv pip install \\\n  fastapi"
    assert command.expected == ["Installed"]
    assert command.output_offset == 2


def test_an_unprefixed_line_after_a_backslash_continues_the_command():
    (command,) = parse("$ echo a \\\nb\nout\n")
    assert command.text == "echo a \\\nb" and command.expected == ["out"]


def test_trailing_blank_lines_are_layout():
    (command,) = parse("$ echo a\na\n\n\n")
    assert command.expected == ["a"]


@pytest.mark.parametrize(
    ("body", "offset", "message"),
    [
        ("output first\n$ echo\n", 0, r"must start with a '\$ ' command"),
        ("$ \n", 0, "empty command"),
        ("$ echo a \\\n", 0, "nothing follows"),
    ],
)
def test_malformed_transcripts_name_their_line(body: str, offset: int, message: str):
    with pytest.raises(TranscriptError, match=message) as error:
        parse(body)
    assert error.value.offset == offset


def test_a_powershell_session_has_its_own_prompts():
    (command,) = parse("PS> uv venv `\n>> --seed\nCreating\n", POWERSHELL)
    assert command.text == "uv venv `\n--seed" and command.expected == ["Creating"]
