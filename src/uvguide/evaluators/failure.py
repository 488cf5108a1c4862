"""How an evaluator says a block is wrong: a message, its class, and the command at fault."""

from __future__ import annotations

from ..classify import classify, environment_cause
from ..results import BlockResult, FailureClass
from ..static_checks import StaticProblem


class BlockFailure(Exception):
    def __init__(self, message: str, failure: FailureClass, command: int | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.command = command  # index into the block's commands

    @classmethod
    def judged(
        cls, message: str, output: str, *, status: int, status_wrong: bool, expected: str = "",
        command: int | None = None,
    ) -> BlockFailure:  # fmt: skip
        """A failure whose class follows from what the command printed and its exit status."""
        failure = classify(output, status_wrong=status_wrong, expected=expected, status=status)
        if failure is FailureClass.ENVIRONMENT:
            cause = environment_cause(output, status)
            message = f"environment, not the docs: {cause}\n{message}"
        return cls(message, failure, command)

    @classmethod
    def static(cls, problems: list[StaticProblem], result: BlockResult) -> BlockFailure:
        """The static checks' problems as one failure: usage when uv refused any arguments.
        The result notes what was refused, line by line."""
        result.changes = [line for p in problems for line in p.message.splitlines()[1:2]]
        classes = {problem.failure for problem in problems}
        failure = FailureClass.USAGE if FailureClass.USAGE in classes else FailureClass.MALFORMED
        return cls("\n".join(problem.message for problem in problems), failure)
