"""File blocks (a `title="path"`, often an included snippet): written into the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..blocks import Block
from ..results import BlockResult, CommandRun, FailureClass
from .failure import BlockFailure

if TYPE_CHECKING:
    from ..page_session import PageSession


def commands(block: Block) -> list[CommandRun]:
    return []


def check(block: Block, session: PageSession, result: BlockResult) -> None:
    """A file for another platform is not written; there is nothing in it to check."""


def run(block: Block, session: PageSession, result: BlockResult) -> None:
    assert block.title is not None
    sandbox = session.sandbox
    target = Path(os.path.normpath(sandbox.cwd / block.title))
    if not target.is_relative_to(sandbox.root):
        raise BlockFailure(f"title={block.title!r} leaves the sandbox", FailureClass.MALFORMED)
    sandbox.write(target, block.body)
    result.file = block.title
