"""Failure classes: drift in uv versus trouble in the machine's environment."""

from uvguide.classify import classify
from uvguide.results import FailureClass as Failure

REFUSED = "error: Failed to fetch\n  cause: tcp connect error\n  cause: Connection refused"
TIMEOUT = "error: Failed to fetch\n  cause: operation timed out"
USAGE = "error: unexpected argument '--x' found\n\nUsage: uv pip install\n\n" + (
    "For more information, try '--help'."
)


def test_a_network_error_is_the_environment():
    assert classify(REFUSED, status_wrong=True) is Failure.ENVIRONMENT


def test_a_network_error_the_page_expects_is_judged_as_output():
    assert classify(TIMEOUT + "\nextra", status_wrong=False, expected=TIMEOUT) is Failure.OUTPUT


def test_another_network_error_than_the_expected_one_is_the_environment():
    assert classify(REFUSED, status_wrong=False, expected=TIMEOUT) is Failure.ENVIRONMENT


def test_a_usage_error_is_usage_unless_expected():
    assert classify(USAGE, status_wrong=True) is Failure.USAGE
    assert classify(USAGE + "\n!", status_wrong=False, expected=USAGE) is Failure.OUTPUT


def test_otherwise_exit_status_or_output():
    assert classify("boom", status_wrong=True) is Failure.EXIT_STATUS
    assert classify("boom", status_wrong=False) is Failure.OUTPUT


def test_a_disk_full_message_wrapped_over_two_lines_is_the_environment():
    wrapped = "error: Failed to write\n  Caused by: No space left on\n  device (os error 28)"
    assert classify(wrapped, status_wrong=True) is Failure.ENVIRONMENT


def test_a_missing_tool_is_the_environment():
    missing = "bash: line 3: docker: command not found"
    assert classify(missing, status_wrong=True, status=127) is Failure.ENVIRONMENT
    assert classify("exit 127 for another reason", status_wrong=True, status=127) is (
        Failure.EXIT_STATUS
    )


def test_a_server_failure_of_the_index_or_a_registry_is_the_environment():
    # What uv and npm print when the index, the registry, or the cache in front of them fails.
    uv = (
        "error: Request failed after 3 retries in 7.3s\n"
        "  cause: HTTP status server error (502 Bad Gateway) for url "
        "(https://pypi.org/simple/httpx/)"
    )
    npm = "npm error code E500\nnpm error 500 Internal Server Error - GET https://registry.npmjs.org/x"
    assert classify(uv, status_wrong=True) is Failure.ENVIRONMENT
    assert classify(npm, status_wrong=True) is Failure.ENVIRONMENT
    assert classify("error: 5020 packages", status_wrong=True) is Failure.EXIT_STATUS
