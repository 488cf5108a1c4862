"""Turn an examples report made with another uv into a drift report.

    python -m harness.drift build/drift-0.12.24-examples.json --out build

writes `drift-<version>.json` and `.md` (what broke, where, and why, by class), and the per-page
summary `docs/data/compat/<version>.json` that the compatibility page renders. Environment errors
(network, DNS, proxy, TLS, disk) are listed apart and never count as drift. Exit status 1 when
there is drift, so a scheduled job fails visibly.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from .settings import REPO_ROOT

COMPAT_DIR = REPO_ROOT / "docs" / "data" / "compat"
DRIFT_CLASSES = ("usage", "exit-status", "output")
COMMAND = re.compile(r"^line \d+: \$ (?P<command>.*)$", re.MULTILINE)


def entry(block: dict[str, Any]) -> dict[str, Any]:
    message = block.get("message", "")
    command = COMMAND.search(message)
    return {
        "page": block["page"],
        "line": block["line"],
        "class": block.get("failure_class", "output"),
        "command": command["command"] if command else "",
        "detail": message,
    }


def build(report: dict[str, Any]) -> dict[str, Any]:
    broken = [b for b in report["blocks"] if b["outcome"] in ("failed", "error")]
    entries = [entry(b) for b in broken]
    drift = [e for e in entries if e["class"] in DRIFT_CLASSES]
    environment = [e for e in entries if e["class"] not in DRIFT_CLASSES]
    pages: dict[str, dict[str, int]] = {}
    for block in report["blocks"]:
        page = pages.setdefault(block["page"], {"blocks": 0, "drift": 0, "environment": 0})
        page["blocks"] += 1
    for item in drift:
        pages[item["page"]]["drift"] += 1
    for item in environment:
        pages[item["page"]]["environment"] += 1
    return {
        "uv_version": report["uv_version"],
        "counts": dict(Counter(e["class"] for e in entries)),
        "drift": drift,
        "environment": environment,
        "pages": pages,
    }


def markdown(data: dict[str, Any]) -> str:
    version = data["uv_version"]
    lines = [f"# Drift report: the guide against uv {version}", ""]
    counts = ", ".join(f"{name}: {data['counts'].get(name, 0)}" for name in DRIFT_CLASSES)
    lines.append(
        f"{len(data['drift'])} drift entries ({counts}); {len(data['environment'])} environment "
        "errors, which are not drift."
    )
    for title, items in (("Drift", data["drift"]), ("Environment errors", data["environment"])):
        if not items:
            continue
        lines += ["", f"## {title}", ""]
        for item in items:
            lines += [
                f"### {item['page']}:{item['line']} ({item['class']})",
                "",
                f"`{item['command']}`" if item["command"] else "",
                "",
                "```text",
                item["detail"].strip(),
                "```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build")
    parser.add_argument("--compat-dir", type=Path, default=COMPAT_DIR)
    args = parser.parse_args(argv)
    data = build(json.loads(args.report.read_text(encoding="utf-8")))
    version = data["uv_version"]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"drift-{version}.json").write_text(json.dumps(data, indent=1) + "\n")
    (args.out / f"drift-{version}.md").write_text(markdown(data))
    args.compat_dir.mkdir(parents=True, exist_ok=True)
    summary = {"uv_version": version, "pages": data["pages"]}
    (args.compat_dir / f"{version}.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"uv {version}: {len(data['drift'])} drift entries "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(data['counts'].items())) or 'none'}), "
        f"{len(data['environment'])} environment errors (not drift); "
        f"report: {args.out / f'drift-{version}.md'}"
    )
    return 1 if data["drift"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
