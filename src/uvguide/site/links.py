"""List the external links of the built site (never fetched: CI has no internet), for review.

    python -m uvguide.site.links site

Internal links and anchors are checked by `mkdocs build --strict`; this lists the rest in
build/external-links.json, each with the pages that use it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from ..files import write_atomically
from ..settings import load

HREF = re.compile(r'<a\b[^>]*\bhref="(https?://[^"#]+)[^"]*"')


def external_links(site: Path, own_url: str) -> dict[str, list[str]]:
    links: dict[str, set[str]] = defaultdict(set)
    for page in site.rglob("*.html"):
        for url in HREF.findall(page.read_text(encoding="utf-8", errors="replace")):
            if not url.startswith(own_url):
                links[url].add(page.relative_to(site).parent.as_posix())
    return {url: sorted(pages) for url, pages in sorted(links.items())}


def main() -> int:
    root = load().root
    site = Path(sys.argv[1] if len(sys.argv) > 1 else root / "site")
    own = re.search(r"^site_url:\s*(\S+)", (root / "mkdocs.yml").read_text(), re.M)
    links = external_links(site, own[1] if own else "\0")
    out = root / "build" / "external-links.json"
    write_atomically(out, json.dumps(links, indent=1) + "\n")
    print(f"{len(links)} external links (not fetched) listed in {out.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
