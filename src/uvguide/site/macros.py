"""mkdocs-macros module (`modules: [uvguide.site.macros]`): the values and tables pages show,
read from the project's settings and committed data under docs/data/, never typed by hand."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any

from ..pins import version_key
from ..settings import Settings, load


def compatibility_runs(data: Path) -> list[dict[str, Any]]:
    """The committed drift summaries, newest uv first."""
    runs = [json.loads(path.read_text()) for path in (data / "compat").glob("*.json")]
    return sorted(runs, key=lambda run: version_key(run["uv_version"]), reverse=True)


def page_title(docs: Path, page: str) -> str:
    """A page's first heading, as its readers know it."""
    path = docs.parent / page
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return page.removeprefix("docs/")


def compatibility_cell(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "not run"
    # Short cells: ten columns must fit the page without scrolling sideways.
    usage, status = counts.get("usage", 0), counts.get("exit-status", 0)
    if usage + status:
        return f"fails {usage + status}" + (f" ({usage} usage)" if usage else "")
    if counts.get("output"):
        return f"differs {counts['output']}"
    return "works"


def compatibility_table(data: Path, pin: str) -> str:
    """Which uv release lines each page works with, from the committed drift summaries."""
    runs = compatibility_runs(data)
    if not runs:
        return "*No drift runs recorded yet: run `nox -s drift -- <version>`.*"
    docs = data.parent
    pages = sorted({page for run in runs for page in run["pages"]})
    header = " | ".join(
        f"uv {run['uv_version']}" + (" (pinned)" if run["uv_version"] == pin else "")
        for run in runs
    )
    lines = [f"| page | {header} |", "|---" * (len(runs) + 1) + "|"]
    for page in pages:
        cells = []
        for run in runs:
            cell = compatibility_cell(run["pages"].get(page))
            if cell.startswith(("fails", "differs")):
                cell = f"[{cell}](compatibility-details.md#{anchor(run['uv_version'], page)})"
            cells.append(cell)
        # Links are relative to the compatibility page itself, docs/reference/.
        link = os.path.relpath(page, "docs/reference")
        lines.append(f"| [{page_title(docs, page)}]({link}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def anchor(version: str, page: str) -> str:
    words = f"uv {version} {page.removeprefix('docs/').removesuffix('.md')}"
    return "".join(c if c.isalnum() else "-" for c in words.lower())


def failing_command(item: dict[str, Any]) -> list[str]:
    """One list item: the line, the class, and the command. A script's lines would otherwise
    run into the list (a `# comment` line becomes a heading), so a command that is more than
    one line, or holds a backtick, goes in a code block under its item."""
    where = f"- line {item['line']}, {item['class'].replace('-', ' ')}"
    command = (item["command"] or "").rstrip("\n")
    if not command:
        return [where]
    if "\n" not in command and "`" not in command:
        return [f"{where}: `{command}`"]
    # No copy button: these are records of what failed, not commands to run.
    return [f"{where}:", "", "    ``` { .text .no-copy }",
            *(f"    {line}" for line in command.splitlines()), "    ```", ""]  # fmt: skip


def compatibility_details(data: Path) -> str:
    """For each release line, the commands that fail or print something else, page by page."""
    runs = compatibility_runs(data)
    docs = data.parent
    lines: list[str] = []
    for run in runs:
        failing = run["failing"]
        lines += [f"## uv {run['uv_version']}", ""]
        if not failing:
            lines += ["Every page works unchanged.", ""]
            continue
        by_page: dict[str, list[dict[str, Any]]] = {}
        for item in failing:
            by_page.setdefault(item["page"], []).append(item)
        for page, items in sorted(by_page.items()):
            title = page_title(docs, page)
            lines += [f"### {title} {{ #{anchor(run['uv_version'], page)} }}", ""]
            for item in items:
                lines += failing_command(item)
            lines.append("")
    return "\n".join(lines)


def benchmarks(data: Path) -> dict[str, Any]:
    return json.loads((data / "benchmarks.json").read_text(encoding="utf-8"))


def benchmark_set(data: Path, set_name: str) -> dict[str, Any]:
    (chosen,) = [s for s in benchmarks(data)["sets"] if s["name"] == set_name]
    return chosen


def by_scenario(chosen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["scenario"]: row for row in chosen["results"]}


def benchmark_facts(data: Path) -> str:
    data = benchmarks(data)
    machine, versions = data["machine"], data["versions"]
    return (
        f"Measured on {data['measured']} on {machine['os']} with {machine['cpus']} CPUs and "
        f"Python {machine['python']}: pip {versions['pip']}, pip-tools {versions['pip-tools']}, "
        f"uv {versions['uv']} (`python -m venv` seeds the pip bundled with Python, "
        f"{versions['pip bundled with Python']}). Packages came from a {data['index']}; each "
        f"scenario ran {data['runs']} times per tool, pip and uv interleaved."
    )


def benchmark_headline(data: Path, set_name: str) -> str:
    """The warm-install result both ways (with and without bytecode), with the machine and the
    method named: what the home page may say, and no more."""
    bench, chosen = benchmarks(data), benchmark_set(data, set_name)
    rows = by_scenario(chosen)
    machine = bench["machine"]

    def said(scenario: str) -> str:
        row = rows[scenario]
        return (
            f"pip {row['pip']['median_s']:.2f} s, uv {row['uv']['median_s']:.2f} s "
            f"({row['ratio']}x)"
        )

    system = machine["os"].split()[0]
    return (
        f"Reinstalling the {chosen['packages']} locked packages of {chosen['description']} from "
        f"a warm cache, median of {bench['runs']} runs on {system} with {machine['cpus']} CPUs "
        f"({bench['measured']}): {said('warm install, bytecode compiled')} with bytecode "
        f"compiled by both, {said('warm install, no bytecode')} without."
    )


def benchmark_variants(data: Path, set_name: str) -> str:
    """What the variants show for one set, in sentences computed from its numbers."""
    rows = by_scenario(benchmark_set(data, set_name))

    def median(scenario: str, tool: str) -> float:
        return float(rows[scenario][tool]["median_s"])

    bare, seeded = (
        "create a virtual environment, without pip",
        "create a virtual environment, with pip",
    )
    faster = "faster" if median(bare, "uv") < median(bare, "pip") else "slower"
    plain, compiled = "warm install, no bytecode", "warm install, bytecode compiled"
    return (
        f"Without pip in it, a new environment takes {median(bare, 'pip'):.2f} s with "
        f"`python -m venv` and {median(bare, 'uv'):.2f} s with `uv venv`: uv is {faster}. "
        f"With pip, {median(seeded, 'pip'):.2f} s against {median(seeded, 'uv'):.2f} s. "
        f"Compiling bytecode adds {median(compiled, 'pip') - median(plain, 'pip'):.2f} s to "
        f"pip's warm install and {median(compiled, 'uv') - median(plain, 'uv'):.2f} s to uv's, "
        f"so uv's lead falls from {rows[plain]['ratio']}x to {rows[compiled]['ratio']}x."
    )


def benchmark_table(data: Path, set_name: str) -> str:
    chosen = benchmark_set(data, set_name)
    lines = [
        f"{chosen['description'][:1].upper()}{chosen['description'][1:]}: "
        f"{chosen['packages']} packages (`{chosen['source']}`).",
        "",
        "| scenario | pip median (min to max) | uv median (min to max) | pip / uv |",
        "|---|---|---|---|",
    ]
    for row in chosen["results"]:
        pip, uv = row["pip"], row["uv"]
        lines.append(
            f"| {row['scenario']} | {pip['median_s']:.2f} s ({pip['min_s']:.2f} to "
            f"{pip['max_s']:.2f}) | {uv['median_s']:.2f} s ({uv['min_s']:.2f} to "
            f"{uv['max_s']:.2f}) | {row['ratio']}x |"
        )
    return "\n".join(lines)


def benchmark_chart(data: Path, set_name: str) -> str:
    """Horizontal bars of the medians, generated from the data (never drawn by hand)."""
    chosen = benchmark_set(data, set_name)
    rows = chosen["results"]
    longest = max(max(r["pip"]["median_s"], r["uv"]["median_s"]) for r in rows)
    width, label_w, bar_h = 640, 260, 14
    parts = []
    for index, row in enumerate(rows):
        y = 10 + index * 44
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="12" fill="currentColor">{row["scenario"]}</text>'
        )
        for offset, (tool, colour) in enumerate((("pip", "#8a5300"), ("uv", "#3b2dbf"))):
            seconds = row[tool]["median_s"]
            length = max(1.0, (width - label_w - 90) * seconds / longest)
            top = y + offset * (bar_h + 2)
            parts.append(
                f'<rect x="{label_w}" y="{top}" width="{length:.1f}" height="{bar_h}" '
                f'fill="{colour}"/><text x="{label_w + length + 4:.1f}" y="{top + 11}" '
                f'font-size="11" fill="currentColor">{tool} {seconds:.2f} s</text>'
            )
    height = 20 + len(rows) * 44
    title = f"Median seconds, pip and uv, {chosen['description']}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">'
        f"<title>{title}</title>" + "".join(parts) + "</svg>"
    )


def project(env: Any) -> Settings:
    """The project whose mkdocs.yml is being built (Zensical gives no config path: then the
    project around the working directory)."""
    config_file = getattr(env.conf, "config_file_path", None)
    return load(Path(config_file).parent if config_file else None)


def define_env(env: Any) -> None:
    settings = project(env)
    data = settings.docs / "data"
    env.variables.update(settings.page_variables())
    env.macro(partial(compatibility_table, data, settings.uv_version), "compatibility_table")
    env.macro(partial(compatibility_details, data), "compatibility_details")
    for macro in (
        benchmark_facts,
        benchmark_headline,
        benchmark_variants,
        benchmark_table,
        benchmark_chart,
    ):
        env.macro(partial(macro, data), macro.__name__)
