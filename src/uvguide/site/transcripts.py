"""Console transcripts as readers see them, from the HTML Pygments made of a page's blocks.

The Markdown keeps the test syntax, and the harness compares against it; the reader gets:

- a copy button that copies the commands only (`data-copy`, which Material's button prefers),
  read with the transcript parser the harness runs them with;
- `[..]` as a discreet ellipsis labelled "shortened", and a `...` line as a line that says the
  output was shortened;
- a long output folded to its first and last lines, with a button that shows the rest. The
  folded lines stay in the page (search and the copy of a whole output still have them); the
  site's script hides them, so without it everything shows.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import count

from .. import transcript
from ..matcher import ANY_LINES, ANY_TEXT

BLOCK = re.compile(
    r'<div class="(?P<classes>[^"]*\bhighlight\b[^"]*)">'
    r"(?P<head>(?:(?!</div>).)*?<pre>.*?<code>)(?P<code>.*?)</code></pre>",
    re.DOTALL,
)
# How Pygments marks the first prompt of a shell or PowerShell session.
PROMPTS = {
    '<span class="gp">$ </span>': transcript.SHELL,
    '<span class="gp">PS&gt; </span>': transcript.POWERSHELL,
}
PROMPT = '<span class="gp">'  # a command line, or a continuation
TAG = re.compile(r"<[^>]+>")
OUTPUT_LINE = re.compile(r'^<span class="go">(?P<text>.*)</span>$')
# Output longer than this is folded to its head and tail.
FOLD_OVER = 14
KEEP_HEAD = 5
KEEP_TAIL = 3

ELISION = '<span class="uvg-elision" role="img" aria-label="shortened" title="shortened">…</span>'
ELIDED_LINES = (
    '<span class="uvg-elided-lines" role="note" aria-label="output shortened">'
    "⋯ output shortened</span>"
)


@dataclass
class Folds:
    """Numbers the folds of one page, so each button controls its own lines."""

    numbers: count[int]

    def fold(self, lines: list[str]) -> str:
        """One line of the transcript: the hidden lines, then the button that shows them. The
        hidden lines carry their own line ends, so a folded output leaves no blank line."""
        number = next(self.numbers)
        # The id sits one level down: Material takes a `span[id]` child of `code` for a line
        # anchor and lays the whole block out as a grid, one word per row.
        return (
            f'<span class="uvg-fold"><span id="uvg-fold-{number}">'
            + "".join(line + "\n" for line in lines)
            + "</span></span>"
            f'<button type="button" class="uvg-unfold" aria-controls="uvg-fold-{number}" '
            f'aria-expanded="true" hidden>Show {len(lines)} more lines</button>'
        )


def render(content: str) -> str:
    """Every transcript of a page's HTML, as readers see it."""
    folds = Folds(count(1))

    def one(match: re.Match[str]) -> str:
        code = match["code"]
        prompts = next((p for marker, p in PROMPTS.items() if code.startswith(marker)), None)
        commands = commands_of(code, prompts) if prompts else None
        if commands is None:
            return match[0]
        copy = html.escape(commands, quote=True)
        return (
            f'<div class="{match["classes"]} uvg-transcript" data-copy="{copy}">'
            f"{match['head']}{reader_view(code, folds)}</code></pre>"
        )

    return BLOCK.sub(one, content)


def commands_of(code_html: str, prompts: transcript.Prompts) -> str | None:
    text = html.unescape(TAG.sub("", code_html))
    try:
        commands = transcript.parse(text, prompts)
    except transcript.TranscriptError:
        return None
    return "\n".join(command.text for command in commands) or None


def reader_view(code: str, folds: Folds) -> str:
    """Elisions drawn for readers, and each command's long output folded."""
    *lines, last = code.split("\n")  # the code ends with a newline: `last` is what follows it
    out: list[str] = []
    output: list[str] = []  # the output lines of the current command

    def flush() -> None:
        if len(output) > FOLD_OVER:
            out.extend(output[:KEEP_HEAD])
            out.append(folds.fold(output[KEEP_HEAD:-KEEP_TAIL]))
            out.extend(output[-KEEP_TAIL:])
        else:
            out.extend(output)
        output.clear()

    for line in lines:
        if line.startswith(PROMPT):
            flush()
            out.append(line)
        else:
            output.append(elide(line))
    flush()
    return "\n".join([*out, last])


def elide(line: str) -> str:
    if (match := OUTPUT_LINE.match(line)) and match["text"].strip() == ANY_LINES:
        return ELIDED_LINES
    return line.replace(ANY_TEXT, ELISION)
