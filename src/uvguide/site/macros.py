"""mkdocs-macros module (`modules: [uvguide.site.macros]`): the values and tables pages show,
read from the project's settings and committed data under docs/data/, never typed by hand."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any

from ..settings import Settings, load


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def compatibility_table(data: Path, pin: str) -> str:
    """Which uv versions each page works with, from the committed drift summaries."""
    runs = [json.loads(path.read_text()) for path in sorted((data / "compat").glob("*.json"))]
    runs.sort(key=lambda run: version_key(run["uv_version"]), reverse=True)
    if not runs:
        return "*No drift runs recorded yet: run `nox -s drift -- <version>`.*"
    pages = sorted({page for run in runs for page in run["pages"]})
    header = (
        "| page | "
        + " | ".join(
            f"uv {run['uv_version']}" + (" (pinned)" if run["uv_version"] == pin else "")
            for run in runs
        )
        + " |"
    )
    lines = [header, "|---" * (len(runs) + 1) + "|"]
    for page in pages:
        cells = []
        for run in runs:
            counts = run["pages"].get(page)
            if counts is None:
                cells.append("not run")
            elif counts["drift"]:
                cells.append(f"breaks ({counts['drift']} block{'s' * (counts['drift'] > 1)})")
            elif counts["environment"]:
                cells.append(f"works (network-limited: {counts['environment']} blocks)")
            else:
                cells.append("works")
        # Links are relative to the compatibility page itself, docs/reference/.
        link = os.path.relpath(page, "docs/reference")
        lines.append(f"| [{page.removeprefix('docs/')}]({link}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def benchmarks(data: Path) -> dict[str, Any]:
    return json.loads((data / "benchmarks.json").read_text(encoding="utf-8"))


def benchmark_facts(data: Path) -> str:
    data = benchmarks(data)
    machine, versions = data["machine"], data["versions"]
    return (
        f"Measured on {data['measured']} on {machine['os']} with {machine['cpus']} CPUs and "
        f"Python {machine['python']}: pip {versions['pip']}, pip-tools {versions['pip-tools']}, "
        f"uv {versions['uv']}. Packages came from a {data['index']}; each scenario ran "
        f"{data['runs']} times per tool, pip and uv interleaved."
    )


def benchmark_table(data: Path, set_name: str) -> str:
    (chosen,) = [s for s in benchmarks(data)["sets"] if s["name"] == set_name]
    lines = [
        f"{chosen['description'][:1].upper()}{chosen['description'][1:]}: "
        f"{chosen['packages']} packages.",
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


def benchmark_ratio(data: Path, set_name: str, scenario: str) -> str:
    """One measured pip/uv ratio, for prose that cites the benchmark."""
    (chosen,) = [s for s in benchmarks(data)["sets"] if s["name"] == set_name]
    (row,) = [r for r in chosen["results"] if r["scenario"] == scenario]
    return f"{row['ratio']}x"


def benchmark_chart(data: Path, set_name: str) -> str:
    """Horizontal bars of the medians, generated from the data (never drawn by hand)."""
    (chosen,) = [s for s in benchmarks(data)["sets"] if s["name"] == set_name]
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
    for macro in (benchmark_facts, benchmark_table, benchmark_ratio, benchmark_chart):
        env.macro(partial(macro, data), macro.__name__)


def on_post_page_macros(env: Any) -> None:
    values = project(env).page_variables()
    env.markdown += (
        "\n\n---\n\n"
        f'<small class="tested-with">Every command on this page was run by the docs CI with '
        f"**uv {values['uv_version']}**, resolving packages as they stood on "
        f"{values['exclude_newer_date']}.</small>\n"
    )
