"""End-to-end: the harness run on fixture pages, judged by its report and its exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, processes_mentioning
from uvguide.uv_binary import pinned_uv_path


def test_a_page_is_one_shell_session(run_page):
    run = run_page("session.md")
    assert run.returncode == 0, run.output
    outcomes = run.outcomes()
    assert set(outcomes.values()) == {"passed", "checked", "skipped", "display"}, outcomes
    assert run.block(52)["mode"] == "expect-fail"
    assert run.block(61)["outcome"] == "checked"
    assert run.block(67)["mode"] == "hidden"
    assert run.block(85)["mode"] == "skip"
    assert run.block(89)["kind"] == "display"
    assert "examples: " in run.output and "display-only" in run.output


def test_a_wrong_flag_fails_with_uvs_message(run_page):
    run = run_page("wrong_flag.md")
    assert run.returncode == 1
    assert run.block(1)["outcome"] == "failed"
    assert "unexpected argument '--no-such-flag'" in run.output
    assert "wrong_flag.md" in run.output


def test_changed_output_fails_with_a_diff(run_page):
    run = run_page("changed_output.md")
    assert run.returncode == 1
    assert "-original" in run.output and "+changed" in run.output
    assert "--update-examples" in run.output
    assert "only version numbers differ" not in run.output


def test_an_output_that_differs_in_versions_alone_says_why_it_may(run_page):
    run = run_page("changed_versions.md")
    assert run.outcomes() == {1: "failed"}
    message = run.block(1)["message"]
    assert "only version numbers differ" in message and "exclude-newer" in message
    assert "+ + fastapi==0.162.0" in message


def test_an_expected_failure_that_succeeds_fails(run_page):
    run = run_page("expect_fail_succeeds.md")
    assert run.returncode == 1
    assert "expected to fail" in run.block(3)["message"]


def test_no_run_blocks_are_still_checked(run_page):
    run = run_page("no_run_checks.md")
    assert run.outcomes() == {3: "failed", 9: "error", 15: "checked"}, run.output
    assert run.block(3)["failure_class"] == "usage"
    assert "uv rejects `uv pip install --no-such-flag fastapi`" in run.block(3)["message"]
    # A syntax error is the page's own fault, not a change in uv: malformed, not drift.
    assert run.block(9)["failure_class"] == "malformed"
    assert "shell syntax" in run.block(9)["message"]


def test_bad_annotations_are_errors_naming_page_and_line(run_page):
    run = run_page("bad_annotations.md")
    assert run.returncode == 1
    assert "Traceback" not in run.output
    errors = {b["line"]: b["message"] for b in run.report["blocks"] if b["outcome"] == "error"}
    assert "needs a reason" in errors[3]
    assert "unknown mode 'norun'" in errors[9]
    assert "malformed test annotation" in errors[15]
    assert "blank line" in errors[21]
    assert "unknown language 'consol'" in errors[26]
    assert "no language" in errors[30]
    assert "missing snippet file 'no/such/snippet.txt'" in errors[35]
    assert "status= wants a number" in errors[38]
    assert "unclosed code fence" in errors[49]
    # The good block between the broken ones still runs; the broken ones never do.
    assert run.block(44)["outcome"] == "passed"
    assert "echo missing reason" not in run.output.replace("$ echo missing reason", "")
    for line, message in errors.items():
        assert f"bad_annotations.md:{line}:" in run.output, (line, message)


def test_a_hanging_command_is_killed_and_the_run_goes_on(run_page):
    started = time.monotonic()
    run = run_page("timeout.md")
    assert time.monotonic() - started < 30
    assert run.block(3)["outcome"] == "error"
    assert "timed out after 1s" in run.block(3)["message"]
    assert run.block(7)["outcome"] == "passed"
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "sleep 310" not in processes, "the killed command left processes behind"


def test_nothing_leaks_outside_the_sandbox(run_page, tmp_path):
    # The harness runs with a home and a uv cache of this test's own: the real ones change
    # whenever another test or CI's other stream runs uv, which once failed this test.
    home = tmp_path / "home"
    uv_cache = home / ".cache" / "uv"
    uv_cache.mkdir(parents=True)
    (uv_cache / "kept").write_text("a page's `uv cache clean` must not remove this\n")
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "UV_CACHE_DIR": str(uv_cache)}
    before = snapshot(home), repo_status()
    run = run_page("isolation.md", env=env)
    assert run.returncode == 0, run.output
    assert (snapshot(home), repo_status()) == before
    assert not (home / "written-into-home").exists()
    assert not list((tmp_path / "sandboxes").iterdir()), "sandbox directories left behind"


def repo_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
    ).stdout


def snapshot(directory: Path) -> list[tuple[str, int]]:
    """Every path below directory, with its modification time."""
    return sorted((str(path), path.lstat().st_mtime_ns) for path in directory.rglob("*"))


def test_record_mode_round_trips(run_page, tmp_path):
    original = (FIXTURES / "record.md").read_text()
    broken = original.replace("new line\n", "old line\n").replace("    indented\n", "    stale\n")
    assert broken != original
    page = tmp_path / "record.md"
    page.write_text(broken)

    assert run_page("record.md", page=page).returncode == 1
    run = run_page("record.md", "--update-examples", page=page)
    assert run.returncode == 0, run.output
    assert page.read_text() == original

    mtime = page.stat().st_mtime_ns
    assert run_page("record.md", "--update-examples", page=page).returncode == 0
    assert page.stat().st_mtime_ns == mtime, "a second record run must change nothing"


def test_record_mode_writes_the_pin_as_a_variable(run_page, tmp_path):
    page = tmp_path / "record.md"
    page.write_text(
        (FIXTURES / "record.md").read_text().replace("uv {{ uv_version }} ([..])", "uv")
    )
    assert run_page("record.md", "--update-examples", page=page).returncode == 0
    text = page.read_text()
    assert "uv {{ uv_version }} (" in text
    assert "$ uv --version" in text and "Prose stays as it is." in text


def test_a_recorded_output_that_grows_the_page_keeps_every_block_in_the_report(run_page, tmp_path):
    page = tmp_path / "record_grows.md"
    page.write_text((FIXTURES / "record_grows.md").read_text())
    run = run_page("record_grows.md", "--update-examples", page=page)
    assert run.returncode == 0, run.output
    assert "one\ntwo\nthree\n```" in page.read_text(), "the output was recorded"
    # Lines as the run collected them, before the page grew by two lines.
    assert run.outcomes() == {3: "passed", 8: "passed", 13: "display", 17: "passed"}
    assert run.block(3)["recorded"] is True
    assert run_page("record_grows.md", page=page).returncode == 0


def test_a_malformed_transcript_and_a_hang_are_told_apart(run_page):
    run = run_page("malformed.md")
    assert run.returncode == 1
    assert run.block(3)["outcome"] == "error"
    assert run.block(3)["failure_class"] == "malformed"
    assert "nothing follows" in run.block(3)["message"]
    assert run.block(11)["outcome"] == "error"
    assert run.block(11)["failure_class"] == "timeout"
    assert run.block(11)["commands"][0]["text"] == "sleep 30"
    assert run.block(11)["failed_command"] == 0


def test_a_changed_print_comment_fails(run_page, tmp_path):
    page = tmp_path / "session.md"
    page.write_text((FIXTURES / "session.md").read_text().replace("#> True", "#> False"))
    run = run_page("session.md", page=page)
    assert run.returncode == 1
    python = run.block(39)
    assert python["outcome"] == "failed" and python["failure_class"] == "output"
    assert "-False" in python["message"] and "+True" in python["message"]


def test_later_failures_are_consequences_only_after_an_environment_failure_came_first(
    run_page, tmp_path
):
    run = run_page("taint.md")
    assert run.block(3)["failure_class"] == "output"
    assert run.block(8)["failure_class"] == "environment"
    # The page's first failure was the docs' own: a later one is not blamed on the network.
    assert run.block(12)["failure_class"] == "output"
    swapped = tmp_path / "swapped.md"
    text = (FIXTURES / "taint.md").read_text()
    swapped.write_text(text.replace("$ echo drift\nnot what uv printed\n", "$ echo fine\nfine\n"))
    run = run_page("swapped.md", page=swapped)
    assert run.block(8)["failure_class"] == "environment"
    assert run.block(12)["failure_class"] == "environment"
    assert "follows the environment failure at line 8" in run.block(12)["message"]


def test_the_report_names_its_run_and_says_it_is_complete(run_page, tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"stale": true}')
    first = run_page("wrong_flag.md").report["run"]
    second = run_page("wrong_flag.md").report["run"]
    assert first["status"] == second["status"] == "complete"
    assert first["id"] != second["id"] and first["started_at"] <= second["started_at"]
    assert first["isolation"] in ("namespaces", "environment-only")
    assert first["limits"]["memory_mib"] > 0


def test_the_report_says_what_cpu_each_command_used(run_page):
    run = run_page("cpu_use.md")
    assert run.returncode == 0, run.output
    busy, idle = run.block(3)["commands"]
    assert busy["cpu_s"] >= 0.3  # what the command itself counted
    assert idle["cpu_s"] < busy["cpu_s"] - 0.2
    python = run.block(9)
    assert python["command_cpu_s"] >= 0.2
    assert run.block(3)["command_cpu_s"] == pytest.approx(busy["cpu_s"] + idle["cpu_s"], abs=0.01)
    assert run.report["run"]["cpus"] >= 1


def test_listing_the_blocks_leaves_the_last_report_as_it_was(run_page, tmp_path):
    last = tmp_path / "last-report.json"
    last.write_text('{"run": {"status": "complete"}}')
    listed = run_page("wrong_flag.md", "--collect-only", "-q", "--examples-report", str(last))
    assert listed.returncode == 0 and "wrong_flag.md" in listed.output
    assert last.read_text() == '{"run": {"status": "complete"}}'


def outcomes_and_reasons(run) -> dict[int, tuple[str, str]]:
    return {b["line"]: (b["outcome"], b["reason"]) for b in run.report["blocks"]}


def test_blocks_run_for_their_platform_and_are_checked_elsewhere(run_page):
    linux = outcomes_and_reasons(run_page("platforms.md", "--platform=linux"))
    assert linux[3] == ("passed", "") and linux[10] == ("passed", "")
    assert linux[17] == ("checked", "holds for macos; this run is on linux")
    assert linux[24][0] == "checked" and "PowerShell" in linux[24][1]
    assert linux[31] == ("passed", "")
    # Checked, not run: uv refuses the flag of the macOS-only block here too.
    assert linux[38][0] == "failed"

    macos = outcomes_and_reasons(run_page("platforms.md", "--platform=macos"))
    assert macos[10] == ("checked", "holds for linux; this run is on macos")
    assert macos[17] == ("passed", "") and macos[31] == ("passed", "")
    assert macos[38][0] == "failed"  # run this time, and uv still refuses the flag

    windows = outcomes_and_reasons(run_page("platforms.md", "--platform=windows"))
    assert {line for line, (outcome, _) in windows.items() if outcome == "passed"} == {3}
    assert windows[31] == ("checked", "holds for linux, macos; this run is on windows")

    for report in (linux, macos, windows):
        assert len(report) == 6, "every block is counted, run or checked"


def test_a_service_lives_until_the_page_ends_and_no_longer(run_page, tmp_path):
    run = run_page("services.md")
    assert run.returncode == 0, run.output
    assert run.block(26)["notes"], "the plain background job was stopped with its command"
    assert run.block(31)["outcome"] == "passed", "the server outlived the blocks after it"
    assert not processes_mentioning(str(tmp_path)), "the server outlived the page"


def test_a_block_that_needs_an_unreachable_host_is_checked_with_the_reason(run_page):
    run = run_page("needs.md")
    unreachable = run.block(5)
    assert unreachable["outcome"] == "checked"
    assert "uvdoc-test.invalid does not answer from this machine" in unreachable["reason"]
    assert run.block(11)["outcome"] == "failed", "its arguments are still checked"
    assert run.block(17)["outcome"] == "passed"


def test_record_mode_never_writes_a_value_that_changes_between_runs(run_page, tmp_path):
    page = tmp_path / "record_varying.md"
    page.write_text((FIXTURES / "record_varying.md").read_text())
    run = run_page("record_varying.md", "--update-examples", page=page)
    assert run.returncode == 1, "a value it cannot record is reported"
    message = run.block(3)["message"]
    assert "differs between two runs" in message and "[..]" in message
    text = page.read_text()
    assert "id 00000000-0000-0000-0000-000000000000" in text, "the varying line is left alone"
    # The Python block's prints are recorded: the wrong value, and the print it did not show.
    assert 'print(6 * 7)\n#> 42\nprint("new")\n#> new\n' in text
    # Elide the varying part as advised: the block records and the page is green.
    page.write_text(text.replace("id 00000000-0000-0000-0000-000000000000", "id [..]"))
    assert run_page("record_varying.md", "--update-examples", page=page).returncode == 0
    assert "$ echo steady\nsteady\n" in page.read_text()
    assert run_page("record_varying.md", page=page).returncode == 0


@pytest.fixture
def new_uv(tmp_path: Path) -> Path:
    """A fake new release of uv, beside a copy of the real one (both visible to sandboxes)."""
    directory = tmp_path / "new-uv"
    directory.mkdir()
    shutil.copy(pinned_uv_path(), directory / "uv-real")
    wrapper = directory / "uv"
    # The interpreter itself, not the session's venv: a checkout under /tmp (where the venv
    # lives then) is hidden by the sandbox's own /tmp. The wrapper needs only the stdlib.
    interpreter = os.path.realpath(sys.executable)
    wrapper.write_text(f"#!{interpreter}\n" + (REPO / "tests" / "fake_uv.py").read_text())
    wrapper.chmod(0o755)
    (directory / "uvx").symlink_to(wrapper)
    return wrapper


def test_an_upgrade_records_what_it_can_and_reports_what_needs_a_person(run_page, tmp_path, new_uv):
    page = tmp_path / "upgrade.md"
    original = (FIXTURES / "upgrade.md").read_text()
    page.write_text(original)
    uv = f"--uv-binary={new_uv}"
    record = run_page("upgrade.md", uv, "--update-examples", page=page)
    recorded = page.read_text()
    # Elisions that still match are kept, inside a changed line too.
    assert "Using CPython 3.11.[..] interpreter found at: [..]\n" in recorded, record.output
    assert "Creating a virtual environment at: .venv\n" in recorded
    assert "\nChecked 1 packages in " in recorded and "All compatible\nNo conflicts\n" in recorded
    plain = run_page("upgrade.md", uv, page=page)
    broken = {b["line"]: b["failure_class"] for b in plain.report["blocks"] if b["failure_class"]}
    assert broken == {25: "exit-status"}, plain.output
    # A second record run changes nothing.
    assert run_page("upgrade.md", uv, "--update-examples", page=page).report
    assert page.read_text() == recorded

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "record.json").write_text(json.dumps(record.report))
    (reports / "plain.json").write_text(json.dumps(plain.report))
    from uvguide import report
    from uvguide.upgrade import markdown

    text = markdown("9.9.9", report.read(reports / "record.json"),
                    report.read(reports / "plain.json"), Path("/"))  # fmt: skip
    person, recorded_part = text.split("## Recorded")
    assert (
        "exit-status: 1 block" in person and "upgrade.md:26 `uv pip list --format json`" in person
    )
    assert (
        "upgrade.md:11: the prose quotes `0B`, which the output of the block at line 13" in person
    )
    assert "quotes `0`," not in person  # a lone digit is too common to flag
    assert "recorded: " in recorded_part and "+Creating a virtual environment at: .venv" in text


def test_pages_below_a_folder_given_with_pages_under_are_collected(run_page, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        (folder / name).write_text("# A page\n\n```console\n$ echo hi\nhi\n```\n")
    run = run_page("", f"--pages-under={folder}", page=folder)
    assert run.returncode == 0, run.output
    assert sorted(Path(b["page"]).name for b in run.report["blocks"]) == ["a.md", "b.md"]
    # Without it, Markdown outside docs/ is collected only when named file by file.
    assert run_page("", page=folder).report["blocks"] == []
