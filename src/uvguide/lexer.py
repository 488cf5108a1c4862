"""Split a Markdown page into blocks, reading the test annotations that sit in HTML comments.

An annotation is an HTML comment on its own line before a fence, so the rendered page stays clean:

    <!-- test: no-run reason="needs astral.sh, which CI cannot reach" -->
    <!-- test: expect-fail status=2 -->
    <!-- test: skip reason="..." -->

After the mode come options (`reason=`, `status=`, `timeout=`, `needs=` hosts, `platform=`) and
the flag `service`. A block in a content tab titled for a platform (`=== "macOS"`) holds for that
platform unless its annotation says otherwise.

A hidden setup block is a fence wrapped in the comment itself, so it never renders:

    <!-- test: hidden
    ```console
    $ uv venv
    ```
    -->
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .blocks import (
    ALLOWED_MODES,
    LANGUAGES,
    Block,
    Kind,
    LineTable,
    Mode,
    MutantKind,
    PageOptions,
    Platform,
    Problem,
)

PAGE_ANNOTATION = re.compile(r"^\s*<!--\s*test-page:(?P<args>.*?)-->\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
ANNOTATION = re.compile(r"^\s*<!--\s*test:(?P<args>.*?)(?P<close>-->)?\s*$")
COMMENT_CLOSE = re.compile(r"^\s*-->\s*$")
INCLUDE = re.compile(r"""^\s*--8<--\s+(?P<q>["']?)(?P<path>[^"']+)(?P=q)\s*$""")
VARIABLE = re.compile(r"\{\{\s*(?P<name>\w+)\s*\}\}")
ATTRIBUTE = re.compile(r"""(?P<key>[\w.-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))""")
OPTION_KEYS = {"reason", "status", "timeout", "needs", "platform", "equivalent"}
FLAGS = {"service"}
TAB = re.compile(r"""^(?P<indent>[ \t]*)===[!+]?[ \t]+["'](?P<label>[^"']*)["']""")
HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
PLATFORM_WORDS = {"linux": Platform.LINUX, "macos": Platform.MACOS, "windows": Platform.WINDOWS}


class PageError(Exception):
    def __init__(self, problem: Problem, resume: int | None = None) -> None:
        super().__init__(str(problem))
        self.problem = problem
        # 0-based line to go on lexing from: past the block the problem spoils, so a block
        # with a broken annotation is never run as if it had none.
        self.resume = problem.line if resume is None else resume


@dataclass
class Annotation:
    line: int
    mode: Mode
    reason: str
    status: int | None
    timeout: float | None
    open_comment: bool  # a hidden block: the comment closes after the fence
    service: bool
    needs: tuple[str, ...]
    platforms: frozenset[Platform] | None  # None: as the content tab says, if any
    equivalent: dict[MutantKind, str]


def tab_platforms(lines: LineTable) -> list[frozenset[Platform]]:
    """For each line, the platforms of the innermost content tab around it that names any
    (`=== "Linux"`, `=== "macOS and Linux"`); empty outside such tabs."""
    stack: list[tuple[int, frozenset[Platform]]] = []
    found: list[frozenset[Platform]] = []
    for index in range(len(lines)):
        line = lines[index]
        if line.strip():
            indent = len(line) - len(line.lstrip())
            while stack and indent <= stack[-1][0]:
                stack.pop()
        found.append(next((p for _, p in reversed(stack) if p), frozenset()))
        if match := TAB.match(line):
            label = match["label"].lower().replace("mac ", "macos ")
            named = frozenset(
                platform for word, platform in PLATFORM_WORDS.items() if word in label
            )
            stack.append((len(match["indent"].expandtabs()), named))
    return found


class PageLexer:
    """Lexes pages of one project: `variables` are the `{{ name }}` values, `snippets_dir` is
    where `--8<--` includes are read from. It runs nothing and reads nothing else."""

    def __init__(self, page: Path, snippets_dir: Path, variables: dict[str, str]) -> None:
        self.page = page
        self.snippets_dir = snippets_dir
        self.variables = variables

    def problem(self, index: int, message: str, resume: int | None = None) -> PageError:
        return PageError(Problem(self.page, index + 1, message), resume)

    def page_options(self, text: str) -> tuple[PageOptions, list[Problem]]:
        """The page's own annotation, if it has one (outside code blocks, anywhere)."""
        options, problems = PageOptions(), []
        lines = LineTable(text)
        fence: str | None = None  # the fence of the code block being skipped
        for index in range(len(lines)):
            if opening := FENCE.match(lines[index]):
                marker = opening["fence"]
                if fence is None:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence):
                    fence = None
                continue
            if fence is not None or not (match := PAGE_ANNOTATION.match(lines[index])):
                continue
            try:
                words = dict(word.partition("=")[::2] for word in shlex.split(match["args"]))
            except ValueError as error:
                problems.append(
                    Problem(self.page, index + 1, f"malformed page annotation: {error}")
                )
                continue
            network, reason = words.pop("network", "cached"), words.pop("reason", "").strip()
            if words or network not in ("cached", "direct"):
                problems.append(
                    Problem(
                        self.page, index + 1,
                        "a page annotation takes network=direct|cached and reason=\"...\"",
                    )
                )  # fmt: skip
            elif network == "direct" and not reason:
                problems.append(
                    Problem(self.page, index + 1, 'network=direct needs a reason="..."')
                )
            else:
                options = PageOptions(direct_network=network == "direct", reason=reason)
        return options, problems

    def blocks(self, text: str) -> Iterator[Block | Problem]:
        """Every fenced block of the page, or a Problem where the page cannot be understood.

        After a problem the lexer resynchronises at the next line, so one mistake does not hide
        the blocks that follow it.
        """
        lines = LineTable(text)
        self._tabs = tab_platforms(lines)
        index = 0
        while index < len(lines):
            try:
                block, index = self._next(lines, index)
            except PageError as error:
                yield error.problem
                index = max(error.resume, index + 1)
                continue
            if block is not None:
                yield block

    def _next(self, lines: LineTable, index: int) -> tuple[Block | None, int]:
        line = lines[index]
        if match := ANNOTATION.match(line):
            fence_index = self._skip_blank(lines, index + 1)
            if fence_index >= len(lines) or not FENCE.match(lines[fence_index]):
                raise self.problem(index, "annotation is not followed by a code block")
            try:
                annotation = self._annotation(match, index)
                if not annotation.open_comment and fence_index == index + 1:
                    # Without it Markdown puts the comment and the block in one paragraph.
                    raise self.problem(index, "leave a blank line between annotation and fence")
            except PageError as error:
                error.resume = self._fence_end(lines, fence_index) + 1
                raise
            block, after = self._fence(lines, fence_index, annotation)
            if annotation.open_comment:
                close = self._skip_blank(lines, after)
                if close >= len(lines) or not COMMENT_CLOSE.match(lines[close]):
                    raise self.problem(
                        index, "hidden block: expected '-->' after its fence", resume=after
                    )
                after = close + 1
            block.end = lines.offsets[after]
            return block, after
        if FENCE.match(line):
            return self._fence(lines, index, None)
        return None, index + 1

    @staticmethod
    def _skip_blank(lines: LineTable, index: int) -> int:
        while index < len(lines) and not lines[index].strip():
            index += 1
        return index

    def _annotation(self, match: re.Match[str], index: int) -> Annotation:
        try:
            words = shlex.split(match["args"])
        except ValueError as error:
            raise self.problem(index, f"malformed test annotation: {error}") from None
        if not words:
            raise self.problem(index, "test annotation names no mode")
        try:
            mode = Mode(words[0])
        except ValueError:
            known = ", ".join(m.value for m in Mode)
            raise self.problem(index, f"unknown mode {words[0]!r} (known: {known})") from None
        options: dict[str, str] = {}
        flags: set[str] = set()
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if not sep and key in FLAGS:
                flags.add(key)
                continue
            if not sep or key not in OPTION_KEYS:
                raise self.problem(
                    index,
                    f"malformed test annotation: {word!r} is not one of "
                    f"{', '.join(sorted(OPTION_KEYS))} as key=value, nor a flag "
                    f"({', '.join(sorted(FLAGS))})",
                )
            options[key] = value
        reason = options.get("reason", "").strip()
        if mode in (Mode.NO_RUN, Mode.SKIP) and not reason:
            raise self.problem(index, f'mode {mode} needs a reason="..."')
        open_comment = match["close"] is None
        if open_comment != (mode is Mode.HIDDEN):
            raise self.problem(
                index,
                "only a hidden block leaves its comment open around the fence"
                if open_comment
                else "a hidden block must wrap its fence in the comment (no '-->' on this line)",
            )
        status = self._number(options, "status", int, index)
        status = None if status is None else int(status)
        if status is not None and mode is not Mode.EXPECT_FAIL:
            raise self.problem(index, "status= only goes with expect-fail")
        if status == 0:
            raise self.problem(index, "expect-fail status=0 is a success, not a failure")
        if "service" in flags and mode not in (Mode.RUN, Mode.HIDDEN):
            raise self.problem(index, f"service only goes with a block that runs, not {mode}")
        return Annotation(
            line=index + 1,
            mode=mode,
            reason=reason,
            status=status,
            timeout=self._number(options, "timeout", float, index),
            open_comment=open_comment,
            service="service" in flags,
            needs=self._hosts(options.get("needs"), index),
            platforms=self._platforms(options.get("platform"), index),
            equivalent=self._equivalent(options.get("equivalent"), index),
        )

    def _equivalent(self, value: str | None, index: int) -> dict[MutantKind, str]:
        """`equivalent="kind: why; kind: why"`: mutants that cannot change the block."""
        found: dict[MutantKind, str] = {}
        for part in (value or "").split(";"):
            if not part.strip():
                continue
            name, _, why = part.partition(":")
            try:
                kind = MutantKind(name.strip())
            except ValueError:
                known = ", ".join(k.value for k in MutantKind)
                raise self.problem(
                    index, f"equivalent= names kinds ({known}), not {name!r}"
                ) from None
            if not why.strip():
                raise self.problem(index, f"equivalent={kind}: needs a reason after the colon")
            found[kind] = why.strip()
        return found

    def _hosts(self, value: str | None, index: int) -> tuple[str, ...]:
        if value is None:
            return ()
        hosts = tuple(host.strip() for host in value.split(","))
        for host in hosts:
            if not HOST.match(host):
                raise self.problem(index, f"needs= wants host names, not {host!r}")
        return hosts

    def _platforms(self, value: str | None, index: int) -> frozenset[Platform] | None:
        if value is None:
            return None
        try:
            return frozenset(Platform(word.strip()) for word in value.split(","))
        except ValueError:
            known = ", ".join(p.value for p in Platform)
            raise self.problem(index, f"platform= takes {known}, not {value!r}") from None

    def _number(
        self, options: dict[str, str], key: str, kind: type[int] | type[float], index: int
    ) -> float | None:
        if key not in options:
            return None
        try:
            value = kind(options[key])
        except ValueError:
            raise self.problem(index, f"{key}= wants a number, not {options[key]!r}") from None
        if value <= 0 and key == "timeout":
            raise self.problem(index, "timeout= must be positive")
        return value

    def _fence(
        self, lines: LineTable, index: int, annotation: Annotation | None
    ) -> tuple[Block, int]:
        match = FENCE.match(lines[index])
        assert match is not None
        fence, info = match["fence"], match["info"]
        if fence[0] == "`" and "`" in info:
            raise self.problem(index, "a backtick fence's info string may not contain a backtick")
        end = self._fence_end(lines, index)
        if end >= len(lines):
            # As in CommonMark, an unclosed fence runs to the end of the page.
            raise self.problem(index, f"unclosed code fence {fence!r}", resume=len(lines))
        try:
            return self._build(lines, index, end, match, annotation), end + 1
        except PageError as error:
            error.resume = max(error.resume, end + 1)
            raise

    def _build(
        self,
        lines: LineTable,
        index: int,
        end: int,
        fence: re.Match[str],
        annotation: Annotation | None,
    ) -> Block:
        indent, info = fence["indent"], fence["info"].strip()
        raw = [lines[i] for i in range(index + 1, end)]
        language, attributes = self._info(info, index)
        kind = LANGUAGES[language]
        title = attributes.get("title")
        if title is not None:
            kind = Kind.FILE
            self._check_path(title, index)
        body, includes = self._expand(raw, len(indent), index)
        mode = annotation.mode if annotation else Mode.RUN
        if mode not in ALLOWED_MODES[kind]:
            what = "display-only" if kind is Kind.DISPLAY else kind.value
            raise self.problem(
                annotation.line - 1 if annotation else index,
                f"mode {mode} does not apply to a {what} block ({language})",
            )
        if kind is Kind.DISPLAY and includes:
            raise self.problem(index, 'an included block needs title="path" to be a file')
        platforms = self._tabs[index]
        if annotation and annotation.platforms is not None:
            platforms = annotation.platforms
        if kind is Kind.POWERSHELL:
            if platforms - {Platform.WINDOWS}:
                raise self.problem(index, "a PowerShell session holds for Windows only")
            platforms = frozenset({Platform.WINDOWS})
        return Block(
            page=self.page,
            line=index + 1,
            language=language,
            kind=kind,
            mode=mode,
            body=body,
            indent=len(indent),
            start=lines.offsets[index],
            end=lines.offsets[end + 1],
            reason=annotation.reason if annotation else "",
            status=annotation.status if annotation else None,
            timeout=annotation.timeout if annotation else None,
            title=title,
            includes=includes,
            service=annotation.service if annotation else False,
            needs=annotation.needs if annotation else (),
            platforms=platforms,
            equivalent=annotation.equivalent if annotation else {},
        )

    @staticmethod
    def _fence_end(lines: LineTable, index: int) -> int:
        """0-based line of the fence that closes the one opened at index (len(lines) if none)."""
        match = FENCE.match(lines[index])
        assert match is not None
        fence = match["fence"]
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        return end

    def _info(self, info: str, index: int) -> tuple[str, dict[str, str]]:
        if info.startswith("{") and info.endswith("}"):
            info = info[1:-1].strip().removeprefix(".")
        language, _, rest = info.partition(" ")
        if not language:
            raise self.problem(index, "code block has no language (write e.g. ```console)")
        language = language.lower()
        if language not in LANGUAGES:
            raise self.problem(
                index, f"unknown language {language!r} (known: {', '.join(sorted(LANGUAGES))})"
            )
        attributes = {
            m["key"]: m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None
            else m["bare"]
            for m in ATTRIBUTE.finditer(rest)
        }  # fmt: skip
        return language, attributes

    def _check_path(self, title: str, index: int) -> None:
        path = PurePosixPath(title)
        if not title or path.is_absolute() or ".." in path.parts or " " in title:
            raise self.problem(index, f"title={title!r} must be a relative path inside the sandbox")

    def _expand(self, raw: list[str], indent: int, index: int) -> tuple[str, list[Path]]:
        body: list[str] = []
        includes: list[Path] = []
        for offset, line in enumerate(raw):
            line = line[indent:] if line[:indent].strip() == "" else line.lstrip()
            if match := INCLUDE.match(line):
                path = self.snippets_dir / match["path"]
                if not path.is_file():
                    raise self.problem(
                        index + 1 + offset,
                        f"missing snippet file {match['path']!r} (looked in {self.snippets_dir})",
                    )
                includes.append(path)
                body.extend(path.read_text(encoding="utf-8").splitlines())
                continue
            body.append(self._substitute(line, index + 1 + offset))
        return "".join(f"{line}\n" for line in body), includes

    def _substitute(self, line: str, index: int) -> str:
        def value(match: re.Match[str]) -> str:
            try:
                return self.variables[match["name"]]
            except KeyError:
                raise self.problem(index, f"unknown page variable {match['name']!r}") from None

        return VARIABLE.sub(value, line)
