"""MkDocs plugin `uv-guide`: what the site adds to MkDocs and Material for this guide.

- Console transcripts are rendered for readers (`transcripts.py`): copy buttons copy the
  commands only, elisions are drawn as such, long outputs are folded.
- Every page ends with what happened to its blocks (`provenance.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page

from .. import report
from ..settings import Settings, load
from .provenance import footer, last_run
from .transcripts import render


class GuideSitePlugin(BasePlugin):  # type: ignore[type-arg]
    settings: Settings
    run: report.Report | None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = load(Path(config.config_file_path).parent)
        self.run = last_run(self.settings)
        return config

    def on_page_markdown(self, markdown: str, page: Page, **kwargs: Any) -> str:
        source = page.file.abs_src_path
        if source is None:
            return markdown
        return markdown + footer(Path(source), self.settings, self.run)

    def on_page_content(self, html: str, **kwargs: Any) -> str:
        return render(html)
