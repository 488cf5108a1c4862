"""Find the uv and uvx invocations in a shell command, as argument lists.

The report counts how many of a page's commands call uv, the static checks run each invocation
through uv's argument parser, and both read the same words from here. Best effort, as a reader
would read the line: no expansion, `time`/`env`/`VAR=value` prefixes skipped.
"""

from __future__ import annotations

import re
import shlex

OPERATORS = {"|", "||", "&&", ";", "&", "(", ")", "|&"}
PREFIXES = {"time", "sudo", "exec", "command", "env"}
ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")


def uv_invocations(script: str) -> list[list[str]]:
    invocations = []
    for line in script.replace("\\\n", " ").splitlines():
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            continue  # the syntax check reports unbalanced quotes
        segment: list[str] = []
        for token in [*tokens, ";"]:
            if token in OPERATORS:
                while segment and (segment[0] in PREFIXES or ASSIGNMENT.match(segment[0])):
                    segment.pop(0)
                if segment and segment[0] in ("uv", "uvx"):
                    invocations.append(segment)
                segment = []
            else:
                segment.append(token)
    return invocations


def uv_lines(script: str) -> int:
    """How many lines of a script call uv (a script's unit of count in the report)."""
    return sum(1 for line in script.splitlines() if uv_invocations(line))
