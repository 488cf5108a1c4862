"""Why a block failed: the docs drifted from uv (usage, exit status, output), or the machine's
environment got in the way (network, DNS, proxy, TLS, disk, a missing tool), which is never the
docs' fault."""

from __future__ import annotations

import re

from .results import FailureClass

# Signatures of a machine that cannot reach what the page needs, as uv, pip and curl word them.
ENVIRONMENT = re.compile(
    r"|".join(
        [
            r"dns error",
            r"failed to lookup address",
            r"Temporary failure in name resolution",
            r"Name or service not known",
            r"[Cc]onnection refused",
            r"[Nn]etwork is unreachable",
            r"tcp connect error",
            r"error sending request for url",
            r"operation timed out",
            r"Could not connect to",
            r"Failed to establish a new connection",
            r"ProxyError|proxy error|Unable to connect to proxy",
            # A server's own failure (an index, a registry, or a proxy that could not reach
            # them), as uv and npm word it.
            r"HTTP status server error",
            r"\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)",
            r"invalid peer certificate|certificate verify failed|UnknownIssuer",
            r"No space left on device",
            r"Disk quota exceeded",
        ]
    )
)
# The footer uv's argument parser prints under every usage error.
USAGE_FOOTER = "For more information, try '--help'."
# bash's exit status for a command it cannot find.
NOT_FOUND = 127
MISSING_TOOL = re.compile(r"(?:^|\n)(?:\S+: )*(?:line \d+: )?(?P<tool>\S+): command not found")


def unwrapped(output: str) -> str:
    """uv wraps long causes across lines ("No space left on\\n  device"): read them joined."""
    return re.sub(r"\s*\n\s*", " ", output)


def environment_cause(output: str, status: int | None = None) -> str | None:
    """What shows the environment failed, if anything does."""
    if status == NOT_FOUND and (missing := MISSING_TOOL.search(output)):
        return f"a tool this machine lacks: {missing['tool']}"
    for line in output.splitlines():
        if ENVIRONMENT.search(line):
            return line.strip()
    if match := ENVIRONMENT.search(unwrapped(output)):
        return match.group(0)
    return None


def signatures(output: str) -> set[str]:
    return {match.group(0).lower() for match in ENVIRONMENT.finditer(unwrapped(output))}


def classify(
    output: str, *, status_wrong: bool, expected: str = "", status: int | None = None
) -> FailureClass:
    """Classify a failed command from what it printed and its exit status. A network failure the
    page shows on purpose (a troubleshooting page expects a timeout) is not an environment
    failure, but a different one on top of it (the proxy refused instead) is."""
    if signatures(output) - signatures(expected):
        return FailureClass.ENVIRONMENT
    if status == NOT_FOUND and MISSING_TOOL.search(output) and not MISSING_TOOL.search(expected):
        return FailureClass.ENVIRONMENT
    if USAGE_FOOTER in output and USAGE_FOOTER not in expected:
        return FailureClass.USAGE
    return FailureClass.EXIT_STATUS if status_wrong else FailureClass.OUTPUT
