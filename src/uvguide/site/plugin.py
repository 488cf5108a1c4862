"""MkDocs plugin `uv-guide`: the copy button of a console block copies only its commands.

Material copies a block's `data-copy` attribute when it has one. For every console transcript
this plugin sets it to the commands alone (continuation lines kept, `$ `/`> ` prompts and output
dropped), read with the same transcript parser the harness runs them with, so what a reader
pastes is exactly what CI executed. Bash and file blocks keep Material's verbatim copy.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mkdocs.plugins import BasePlugin

from .. import transcript

BLOCK = re.compile(
    r'<div class="(?P<classes>[^"]*\bhighlight\b[^"]*)">(?P<inner>(?:(?!</div>).)*?'
    r"<pre>.*?<code>(?P<code>.*?)</code></pre>)",
    re.DOTALL,
)
PROMPT = '<span class="gp">'
TAG = re.compile(r"<[^>]+>")


def commands_of(code_html: str) -> str | None:
    text = html.unescape(TAG.sub("", code_html))
    try:
        commands = transcript.parse(text)
    except transcript.TranscriptError:
        return None
    return "\n".join(command.text for command in commands) or None


def copy_commands_only(content: str) -> str:
    def annotate(match: re.Match[str]) -> str:
        if PROMPT not in match["code"]:
            return match[0]
        commands = commands_of(match["code"])
        if commands is None:
            return match[0]
        copy = html.escape(commands, quote=True)
        return f'<div class="{match["classes"]}" data-copy="{copy}">{match["inner"]}'

    return BLOCK.sub(annotate, content)


class GuideSitePlugin(BasePlugin):  # type: ignore[type-arg]
    def on_page_content(self, html: str, **kwargs: Any) -> str:
        return copy_commands_only(html)
