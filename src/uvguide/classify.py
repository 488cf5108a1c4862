"""Why a block failed: the docs drifted from uv (usage, exit status, output), or the machine's
environment got in the way (network, DNS, proxy, TLS, disk), which is never the docs' fault."""

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
            r"invalid peer certificate|certificate verify failed|UnknownIssuer",
            r"No space left on device",
        ]
    )
)
# The footer uv's argument parser prints under every usage error.
USAGE_FOOTER = "For more information, try '--help'."


def environment_cause(output: str) -> str | None:
    """The line that shows the environment failed, if any."""
    for line in output.splitlines():
        if ENVIRONMENT.search(line):
            return line.strip()
    return None


def signatures(output: str) -> set[str]:
    return {match.group(0).lower() for match in ENVIRONMENT.finditer(output)}


def classify(output: str, *, status_wrong: bool, expected: str = "") -> FailureClass:
    """Classify a failed command from what it printed. A network failure the page shows on
    purpose (a troubleshooting page expects a timeout) is not an environment failure, but a
    different one on top of it (the proxy refused instead) is."""
    if signatures(output) - signatures(expected):
        return FailureClass.ENVIRONMENT
    if USAGE_FOOTER in output and USAGE_FOOTER not in expected:
        return FailureClass.USAGE
    return FailureClass.EXIT_STATUS if status_wrong else FailureClass.OUTPUT
