"""What the harness checks on a block it does not run: shell syntax, Python syntax, and that uv
accepts the arguments of every uv/uvx invocation.

Each invocation runs offline in a scratch HOME; only a usage error from uv's argument parser
fails the check, since everything after parsing would need the network or the page's state.
"""

from __future__ import annotations

import ast
import shlex
import subprocess
from dataclasses import dataclass

from .classify import USAGE_FOOTER
from .results import FailureClass
from .sandbox import Sandbox
from .uv_calls import uv_invocations

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


def uv_argument_error(sandbox: Sandbox, argv: list[str]) -> str | None:
    """None when uv parses argv; else its usage error."""
    result = sandbox.run_offline_check(argv, timeout=CHECK_TIMEOUT)
    if result.status == 2 and USAGE_FOOTER in result.output:
        return f"uv rejects `{shlex.join(argv)}`:\n{sandbox.redact(result.output).strip()}"
    return None


@dataclass(frozen=True)
class StaticProblem:
    failure: FailureClass  # malformed (the page's syntax) or usage (uv refuses the arguments)
    message: str


def check_shell(sandbox: Sandbox, script: str) -> list[StaticProblem]:
    """Every problem the static checks find in a shell script or console command."""
    problems = []
    if error := shell_syntax(script):
        problems.append(StaticProblem(FailureClass.MALFORMED, f"shell syntax: {error}"))
    problems += [
        problem
        for argv in uv_invocations(script)
        if (problem := uv_argument_problem(sandbox, argv))
    ]
    return problems


def uv_argument_problem(sandbox: Sandbox, argv: list[str]) -> StaticProblem | None:
    if error := uv_argument_error(sandbox, argv):
        return StaticProblem(FailureClass.USAGE, error)
    return None
