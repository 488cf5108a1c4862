"""One page's run: its sandbox, its time budget, the edits record mode will write back, and the
environment taint.

A page is one terminal session. The session hands each block to the evaluator for its kind and
turns what happened into a typed `BlockResult`. Once the session is lost (its sandbox died, or
the page was started before by a worker that crashed), the rest of the page is reported as not
run: running it in a fresh sandbox would not be the page a reader follows.
"""

from __future__ import annotations

import time
from pathlib import Path

from .blocks import Block, Kind, Mode, Platform
from .evaluators import EVALUATORS
from .evaluators.failure import BlockFailure
from .host_probe import unreachable
from .matcher import normalize_timing
from .page_rewrite import Edit
from .python_prints import RUNNER
from .results import BlockResult, FailureClass, Outcome
from .sandbox import Result, Sandbox, SandboxError

# Failures that say nothing about the docs versus uv: the block could not be judged.
NOT_JUDGED = (
    FailureClass.MALFORMED, FailureClass.TIMEOUT, FailureClass.ENVIRONMENT,
    FailureClass.LIMIT, FailureClass.CRASH,
)  # fmt: skip
MESSAGE_LIMIT = 2000


class PageSession:
    def __init__(
        self,
        sandbox: Sandbox | None,
        *,
        block_timeout: float,
        page_timeout: float,
        update: bool,
        platform: Platform,
        uv: Path,
        stop_at_failure: bool = False,
        lost: str | None = None,
    ) -> None:
        self.sandbox_or_none = sandbox
        self.block_timeout = block_timeout
        self.deadline = time.monotonic() + page_timeout
        self.page_timeout = page_timeout
        self.update = update
        self.platform = platform
        self.uv = uv  # the uv under test, whose own --help says which flags are its
        self.stop_at_failure = stop_at_failure
        self.stopped: str | None = None  # why the rest of the page is skipped, once it is
        self.edits: list[Edit] = []
        self.first_failure: FailureClass | None = None
        self.first_failure_line: int | None = None
        self.lost = lost  # why the rest of the page cannot run, once it cannot
        self.notes: list[str] = []  # for the block being evaluated
        # Record mode runs a page twice: the first run's outputs, by (block line, command),
        # show which values differ between runs and must be elided rather than written down.
        self.outputs: dict[tuple[int, int], list[str]] = {}
        self.first_run: dict[tuple[int, int], list[str]] | None = None
        if sandbox is not None:
            self.print_runner = sandbox.state / "print_runner.py"
            sandbox.write(self.print_runner, RUNNER)

    @property
    def sandbox(self) -> Sandbox:
        assert self.sandbox_or_none is not None, "a lost session runs nothing"
        return self.sandbox_or_none

    def evaluate(self, block: Block) -> BlockResult:
        started = time.perf_counter()
        result = BlockResult.for_block(block, Outcome.PASSED)
        evaluator = EVALUATORS[block.kind]
        self.notes = []
        try:
            result.commands = evaluator.commands(block)
            if block.mode is Mode.SKIP:
                result.outcome = Outcome.SKIPPED
            elif self.stopped:
                result.outcome, result.reason = Outcome.SKIPPED, self.stopped
            elif self.lost:
                raise BlockFailure(f"not run: {self.lost}", FailureClass.CRASH)
            elif block.mode is Mode.NO_RUN:
                evaluator.check(block, self, result)
                result.outcome = Outcome.CHECKED
            elif reason := self.not_run_here(block):
                evaluator.check(block, self, result)
                result.outcome, result.reason = Outcome.CHECKED, reason
            else:
                evaluator.run(block, self, result)
        except BlockFailure as failure:
            failure = self._after_first_failure(block, failure)
            result.outcome = Outcome.ERROR if failure.failure in NOT_JUDGED else Outcome.FAILED
            result.failure = failure.failure
            result.message = str(failure)[:MESSAGE_LIMIT]
            result.failed_command = failure.command
        except SandboxError as error:
            self.lost = f"the page's session died at line {block.line} ({error})"
            result.outcome, result.failure = Outcome.ERROR, FailureClass.CRASH
            result.message = f"the page's session died while running this block: {error}"
        if self.stop_at_failure and result.outcome in (Outcome.FAILED, Outcome.ERROR):
            self.stopped = f"the page stopped at its first failure, line {block.line}"
        result.notes = self.notes
        result.command_time_s += sum(command.duration_s for command in result.commands)
        result.command_cpu_s += sum(command.cpu_s for command in result.commands)
        result.duration_s = time.perf_counter() - started
        return result

    def not_run_here(self, block: Block) -> str | None:
        """Why a block that runs elsewhere is only checked in this run, if it is."""
        if block.kind is Kind.POWERSHELL:
            return "a PowerShell session for Windows readers: the harness runs pages with bash"
        if block.platforms and self.platform not in block.platforms:
            names = ", ".join(sorted(p.value for p in block.platforms))
            return f"holds for {names}; this run is on {self.platform.value}"
        for host in block.needs:
            if reason := unreachable(host):
                return f"{reason}; it runs where {host} answers"
        return None

    def _after_first_failure(self, block: Block, failure: BlockFailure) -> BlockFailure:
        """A page is one session: when the environment broke it first (a download that could not
        happen), later failures on the page are consequences, not evidence about the docs. A
        page whose first failure was the docs' own keeps every later failure as it is."""
        if self.first_failure is None:
            self.first_failure, self.first_failure_line = failure.failure, block.line
            return failure
        if self.first_failure is not FailureClass.ENVIRONMENT or not failure.failure.is_drift:
            return failure
        return BlockFailure(
            f"environment, not the docs: follows the environment failure at line "
            f"{self.first_failure_line} of this page\n{failure}",
            FailureClass.ENVIRONMENT,
            failure.command,
        )

    # -- helpers the evaluators share -----------------------------------------------------------

    def run(self, block: Block, script: str, *, strict: bool, command: int | None) -> Result:
        """Run script in the page's shell session, within the block's time and the page's."""
        wanted = block.timeout or self.block_timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise BlockFailure(self._budget_message(), FailureClass.LIMIT, command)
        result = self.sandbox.run(
            script, timeout=min(wanted, remaining), strict=strict, keep=block.service
        )
        output = self.sandbox.redact(result.output)
        if result.stopped:
            self.notes.append(
                "still running when the command ended, and stopped with it: "
                + "; ".join(result.stopped)
            )
        if result.dropped_bytes:
            self.notes.append(
                f"output past {self.sandbox.limits.output_bytes} bytes was not kept "
                f"({result.dropped_bytes} bytes dropped)"
            )
        if result.out_of_memory:
            raise BlockFailure(
                f"a process of the page was killed for going over the page's memory limit "
                f"({self.sandbox.limits.memory_bytes // 2**20} MiB; [tool.uv-guide] "
                f"memory-limit-mib)\noutput so far:\n{output}",
                FailureClass.LIMIT,
                command,
            )
        if result.timed_out and wanted > remaining:
            raise BlockFailure(
                f"{self._budget_message()}\noutput so far:\n{output}", FailureClass.LIMIT, command
            )
        if result.timed_out:
            raise BlockFailure(
                f"timed out after {wanted:g}s and was stopped with everything it started "
                f"(raise it with timeout=N on the block's annotation if it is slow, not stuck)"
                f"\noutput so far:\n{output}",
                FailureClass.TIMEOUT,
                command,
            )
        return result

    def varying_lines(self, block: Block, command: int, actual: list[str]) -> list[str]:
        """The lines of this output that another run of the page printed differently."""
        self.outputs[(block.line, command)] = actual
        if self.first_run is None or (block.line, command) not in self.first_run:
            return []
        other = self.first_run[(block.line, command)]
        if len(other) != len(actual):
            return [f"{len(other)} lines one run, {len(actual)} the other"]
        # Timings vary, and the matcher ignores them: so does this.
        return [
            f"{a!r} / {b!r}"
            for a, b in zip(other, actual, strict=True)
            if normalize_timing(a) != normalize_timing(b)
        ]

    def _budget_message(self) -> str:
        return (
            f"the page ran past its time budget of {self.page_timeout:g}s "
            "([tool.uv-guide] page-timeout); the rest of the page is not run"
        )

    def status_problem(self, block: Block, status: int, *, last: bool) -> str | None:
        """Why this exit status is wrong, or None."""
        if block.mode is Mode.EXPECT_FAIL and last:
            if status == 0:
                return "expected to fail (expect-fail), but it succeeded"
            if block.status is not None and status != block.status:
                return f"expected exit status {block.status}, got {describe(status)}"
            return None
        return f"exit status {describe(status)}" if status else None

    def check_status(self, block: Block, result: Result, *, command: int | None) -> None:
        if problem := self.status_problem(block, result.status, last=True):
            output = self.sandbox.redact(result.output)
            raise BlockFailure.judged(
                f"{problem}; output:\n{output}", output, status=result.status,
                status_wrong=True, command=command,
            )  # fmt: skip

    def close(self) -> None:
        if self.sandbox_or_none is not None:
            self.sandbox_or_none.remove()


def describe(status: int) -> str:
    return f"{status} (killed by signal {-status})" if status < 0 else str(status)
