"""One page's run: its sandbox, the edits record mode will write back, and the environment taint.

A page is one terminal session. The session hands each block to the evaluator for its kind and
turns what happened into a typed `BlockResult`.
"""

from __future__ import annotations

import time

from .blocks import Block, Mode
from .evaluators import EVALUATORS
from .evaluators.failure import BlockFailure
from .page_rewrite import Edit
from .processes import Result
from .python_prints import RUNNER
from .results import BlockResult, FailureClass, Outcome
from .sandbox import Sandbox

# Failures that say nothing about the docs versus uv: the block could not be judged.
NOT_JUDGED = (FailureClass.MALFORMED, FailureClass.TIMEOUT, FailureClass.ENVIRONMENT)
MESSAGE_LIMIT = 2000


class PageSession:
    def __init__(self, sandbox: Sandbox, *, block_timeout: float, update: bool) -> None:
        self.sandbox = sandbox
        self.block_timeout = block_timeout
        self.update = update
        self.edits: list[Edit] = []
        self.environment_broken: int | None = None  # line of the page's first environment failure
        self.print_runner = sandbox.state / "print_runner.py"
        self.print_runner.write_text(RUNNER, encoding="utf-8")

    def evaluate(self, block: Block) -> BlockResult:
        started = time.perf_counter()
        result = BlockResult.for_block(block, Outcome.PASSED)
        evaluator = EVALUATORS[block.kind]
        try:
            result.commands = evaluator.commands(block)
            if block.mode is Mode.SKIP:
                result.outcome = Outcome.SKIPPED
            elif block.mode is Mode.NO_RUN:
                evaluator.check(block, self, result)
                result.outcome = Outcome.CHECKED
            else:
                evaluator.run(block, self, result)
        except BlockFailure as failure:
            failure = self._after_environment(block, failure)
            result.outcome = Outcome.ERROR if failure.failure in NOT_JUDGED else Outcome.FAILED
            result.failure = failure.failure
            result.message = str(failure)[:MESSAGE_LIMIT]
            result.failed_command = failure.command
        result.command_time_s += sum(command.duration_s for command in result.commands)
        result.duration_s = time.perf_counter() - started
        return result

    def _after_environment(self, block: Block, failure: BlockFailure) -> BlockFailure:
        """A page is one session: once the environment broke it (a download that could not
        happen), later failures on the page are consequences, not evidence about the docs."""
        if failure.failure is FailureClass.ENVIRONMENT:
            self.environment_broken = self.environment_broken or block.line
            return failure
        if self.environment_broken is None or failure.failure is FailureClass.MALFORMED:
            return failure
        return BlockFailure(
            f"environment, not the docs: follows the environment failure at line "
            f"{self.environment_broken} of this page\n{failure}",
            FailureClass.ENVIRONMENT,
            failure.command,
        )

    # -- helpers the evaluators share -----------------------------------------------------------

    def timeout(self, block: Block) -> float:
        return block.timeout or self.block_timeout

    def run(self, block: Block, script: str, *, strict: bool, command: int | None) -> Result:
        """Run script in the page's shell session; a command past its time is a timeout."""
        result = self.sandbox.run(script, timeout=self.timeout(block), strict=strict)
        if result.timed_out:
            raise BlockFailure(
                f"timed out after {self.timeout(block):g}s and was killed "
                f"(raise it with timeout=N on the block's annotation)\n"
                f"output so far:\n{self.sandbox.redact(result.output)}",
                FailureClass.TIMEOUT,
                command,
            )
        return result

    def status_problem(self, block: Block, status: int, *, last: bool) -> str | None:
        """Why this exit status is wrong, or None."""
        if block.mode is Mode.EXPECT_FAIL and last:
            if status == 0:
                return "expected to fail (expect-fail), but it succeeded"
            if block.status is not None and status != block.status:
                return f"expected exit status {block.status}, got {status}"
            return None
        return f"exit status {status}" if status else None

    def check_status(self, block: Block, result: Result, *, command: int | None) -> None:
        if problem := self.status_problem(block, result.status, last=True):
            output = self.sandbox.redact(result.output)
            raise BlockFailure.judged(
                f"{problem}; output:\n{output}", output, status_wrong=True, command=command
            )

    def close(self) -> None:
        self.sandbox.remove()
