"""Pages that attack the machine they run on. Each is run under namespaces and the host is then
checked: `/dev/null` still a character device, nothing new in the directories they wrote to, no
process of theirs alive, and every hostile block reported on its page and line.

These must never run on the host itself: without namespaces they are skipped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import processes_mentioning, project_with
from uvguide.isolation import namespaces_unavailable

pytestmark = pytest.mark.skipif(
    namespaces_unavailable() is not None,
    reason=f"hostile pages run only inside namespaces: {namespaces_unavailable()}",
)
WATCHED = [Path("/etc"), Path("/usr/local"), Path("/root"), Path("/dev/shm")]


@pytest.fixture
def host(tmp_path: Path):
    """The host's state before a hostile page; checked unchanged after it."""
    before = {directory: set(os.listdir(directory)) for directory in WATCHED}
    yield
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device"
    for directory, names in before.items():
        assert not {n for n in set(os.listdir(directory)) - names if "uvdoc" in n}, directory
    assert not processes_mentioning(str(tmp_path)), "processes of the page outlived it"
    assert not [p for p in (tmp_path / "sandboxes").iterdir()], "sandboxes left behind"


def hostile(run_page, name: str, *args: str, **kwargs: object):
    return run_page(f"hostile/{name}", "--isolation=namespaces", *args, **kwargs)


def reported(run, line: int) -> dict:
    block = run.block(line)
    if block["outcome"] in ("failed", "error"):
        assert f"{Path(block['page']).name}:{line}:" in run.output, line
    return block


def test_dev_null_cannot_be_replaced(run_page, host):
    run = hostile(run_page, "dev_null.md")
    assert "Device or resource busy" in reported(run, 3)["message"]
    assert reported(run, 11)["outcome"] == "passed"  # -o /dev/null writes into the device
    assert reported(run, 15)["outcome"] == "passed"  # copying onto a device writes into it
    assert reported(run, 19)["outcome"] == "passed", "inside, /dev/null is still a device"


def test_system_directories_are_read_only(run_page, host):
    run = hostile(run_page, "system_dirs.md")
    for line in (3, 7, 11):
        block = reported(run, line)
        assert block["outcome"] == "failed" and "Read-only file system" in block["message"]
    # /dev/shm is the page's own: writable inside, invisible outside.
    assert reported(run, 15)["outcome"] == "passed"
    assert reported(run, 19)["outcome"] == "passed"


def test_processes_end_with_the_page(run_page, host):
    run = hostile(run_page, "processes.md")
    daemon = reported(run, 3)
    # Stopped at once, it may not have become `sleep` yet: the note names what it was then.
    assert daemon["outcome"] == "passed"
    assert any(
        note.startswith("still running when the command ended") for note in daemon["notes"]
    ), daemon
    killer = reported(run, 7)
    assert killer["outcome"] == "failed" and "killed by signal 9" in killer["message"]
    held = reported(run, 11)
    assert held["outcome"] == "passed" and held["notes"], held
    assert reported(run, 16)["outcome"] == "passed"  # closing its output ends nothing early
    assert reported(run, 20)["outcome"] == "passed", "the page goes on after all of it"


def test_resources_are_bounded(run_page, host, tmp_path):
    config = project_with(
        tmp_path, memory_limit_mib=1024, disk_limit_mib=256, tmp_limit_mib=64, output_limit_mib=1
    )
    run = hostile(run_page, "resources.md", config=config)
    assert reported(run, 3)["outcome"] == "passed"  # wc counts all of it, inside
    huge = reported(run, 8)
    assert huge["outcome"] == "failed"
    assert any("bytes dropped" in note for note in huge["notes"]), huge
    disk = reported(run, 13)
    assert disk["failure_class"] == "environment"
    assert "No space left on device" in disk["message"]
    memory = reported(run, 17)
    assert memory["outcome"] in ("failed", "error")
    assert memory["failure_class"] == "limit" or "MemoryError" in memory["message"]
    assert reported(run, 21)["outcome"] == "passed"
