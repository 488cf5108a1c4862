"""Non-blocking check: does the site build with Zensical (Material for MkDocs' successor, which
reads mkdocs.yml), and which of the features we rely on survive?

    python -m uvguide.site.zensical_check

Builds into build/zensical-site with a copy of mkdocs.yml pointed there, then looks at the output
for each feature. Prints and writes build/zensical-report.md. Always exits 0: Material is what
ships today; this only tells how far the move would be.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ..files import write_atomically
from ..settings import load

ROOT = load().root
BUILD = ROOT / "build"
TIMEOUT_S = 300


def site_config(site: Path) -> Path:
    """mkdocs.yml with site_dir pointed into build/ (Zensical wants its config at the root)."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^site_dir:.*$", "", config, flags=re.MULTILINE)
    config += f"\nsite_dir: {site.relative_to(ROOT)}\n"
    path = ROOT / ".zensical-check.yml"
    path.write_text(config, encoding="utf-8")
    return path


def features(site: Path) -> dict[str, bool]:
    venv = (site / "pip" / "venv" / "index.html").read_text(encoding="utf-8")
    requirements = (site / "pip" / "requirements" / "index.html").read_text(encoding="utf-8")
    return {
        "macros render the pinned uv version": load().uv_version in venv and "{{" not in venv,
        "snippet includes are expanded": "--8&lt;--" not in requirements,
        "console copy buttons copy commands only (uv-guide plugin)": "data-copy=" in venv,
        "llms.txt is generated": (site / "llms.txt").is_file(),
        "content tabs render": "tabbed-set"
        in (site / "start" / "install" / "index.html").read_text(),
        "search index is written": any(site.glob("search*/*")),
    }


def main() -> int:
    zensical = shutil.which("zensical")
    if zensical is None:
        print("zensical: not installed (dependency group 'zensical')")
        return 0
    site = BUILD / "zensical-site"
    shutil.rmtree(site, ignore_errors=True)
    BUILD.mkdir(exist_ok=True)
    version = subprocess.run([zensical, "--version"], capture_output=True, text=True).stdout
    config = site_config(site)
    try:
        result = subprocess.run(
            [zensical, "build", "--clean", "-f", str(config)],
            cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
        )  # fmt: skip
        built, log = result.returncode == 0, result.stdout + result.stderr
    except subprocess.TimeoutExpired:
        built, log = False, f"timed out after {TIMEOUT_S}s"
    finally:
        config.unlink(missing_ok=True)
    lines = [f"# Zensical check ({version.strip()})", "", f"- builds: {'yes' if built else 'NO'}"]
    if built and (site / "index.html").is_file():
        lines += [f"- {name}: {'yes' if ok else 'NOT YET'}" for name, ok in features(site).items()]
    lines += ["", "```text", log.strip()[-3000:], "```", ""]
    report = "\n".join(lines)
    write_atomically(BUILD / "zensical-report.md", report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
