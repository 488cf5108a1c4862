"""The CPU the pages' commands used, as the benchmark and CI's job summary show it."""

from __future__ import annotations

from uvguide import report, run_summary
from uvguide.bench.harness_cost import cpu_lines
from uvguide.blocks import Mode
from uvguide.results import BlockResult, CommandRun, Outcome


def a_report(*commands: CommandRun, cpus: int | None = 2) -> report.Report:
    block = BlockResult(
        page="docs/page.md", line=3, language="console", kind="console", mode=Mode.RUN,
        outcome=Outcome.PASSED, commands=list(commands),
        command_cpu_s=sum(command.cpu_s for command in commands),
    )  # fmt: skip
    run = report.RunInfo(
        id="run", started_at="", finished_at="", status="complete", uv_version="0.0.1",
        uv_path="uv", isolation="namespaces", platform="linux", limits={}, workers=4,
        wall_s=30.0, cpus=cpus,
    )  # fmt: skip
    return report.Report(run=run, results=[block], digests={})


def command(text: str, cpu_s: float) -> CommandRun:
    return CommandRun(line=4, text=text, uv_lines=1, executed=True, status=0, cpu_s=cpu_s)


def test_the_commands_cpu_and_the_floor_it_sets_on_these_cores():
    lines = cpu_lines(a_report(command("uv sync", 3.0), command("uv lock\nsecond line", 37.0)))
    assert lines[0] == (
        "  CPU in the pages' commands: 40.0 s; on 2 core(s) they alone take at least "
        "20.0 s of the 30.0 s"
    )
    assert lines[2].endswith("docs/page.md: uv lock")  # the costliest first, its first line
    assert lines[3].endswith("docs/page.md: uv sync")
    summary = run_summary.summary(a_report(command("uv sync", 40.0)))
    assert "30 s on 2 cores; the pages' commands used 40 CPU-s." in summary


def test_a_report_from_before_the_figures_says_it_has_none():
    old = a_report(command("uv sync", 0.0), cpus=None)
    assert cpu_lines(old) == ["  no CPU figures: the report is older than them"]
    assert "4 workers, 30 s." in run_summary.summary(old)
