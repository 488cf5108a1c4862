"""One evaluator per kind of block. Each module offers three functions:

- `commands(block)`: what the block would run, as data (the report counts them, run or not);
- `check(block, session, result)`: the static checks of a block that is not run (no-run mode);
- `run(block, session, result)`: run it in the page's session and judge it.

`check` and `run` fill in `result` and raise `BlockFailure` when the block is wrong.
"""

from __future__ import annotations

from types import ModuleType

from ..blocks import Kind
from . import console, files, powershell, python, script

EVALUATORS: dict[Kind, ModuleType] = {
    Kind.CONSOLE: console,
    Kind.POWERSHELL: powershell,
    Kind.SCRIPT: script,
    Kind.PYTHON: python,
    Kind.FILE: files,
}
