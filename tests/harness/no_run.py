"""What the harness still checks on a block it does not run: shell syntax, and that uv accepts
the arguments of every uv/uvx invocation (run offline in a scratch HOME; only a usage error from
uv's argument parser fails the check, since everything after parsing would need the network)."""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess

from .classify import USAGE_FOOTER
from .sandbox import Sandbox, run_process

OPERATORS = {"|", "||", "&&", ";", "&", "(", ")", "|&"}
PREFIXES = {"time", "sudo", "exec", "command", "env"}
ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
CHECK_TIMEOUT = 30.0


def shell_syntax(script: str) -> str | None:
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-n"], input=script, capture_output=True, text=True
    )
    return result.stderr.strip() or None if result.returncode else None


def python_syntax(source: str) -> str | None:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    return None


def uv_invocations(script: str) -> list[list[str]]:
    """The uv/uvx commands in a shell script, as argument lists (best effort, no expansion)."""
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


def check_uv_arguments(sandbox: Sandbox, argv: list[str]) -> str | None:
    """None when uv parses argv; else its usage error."""
    env, scratch = sandbox.scratch_env()
    try:
        result = run_process(
            [shutil.which(argv[0], path=env["PATH"]) or argv[0], *argv[1:]],
            env=env, cwd=scratch, timeout=CHECK_TIMEOUT,
        )  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.status == 2 and USAGE_FOOTER in result.output:
        return f"uv rejects `{shlex.join(argv)}`:\n{sandbox.redact(result.output).strip()}"
    return None


def check_script(sandbox: Sandbox, script: str) -> list[str]:
    problems = []
    if error := shell_syntax(script):
        problems.append(f"shell syntax: {error}")
    for argv in uv_invocations(script):
        if error := check_uv_arguments(sandbox, argv):
            problems.append(error)
    return problems
