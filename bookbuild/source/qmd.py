"""Parse a `.qmd` file into front matter, markdown blocks, Python cells and inline expressions.

The parse is lossless: the blocks' `raw` texts concatenate back to the source, which the
property tests check. Every block remembers its first line so errors can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bookbuild.config import registry
from bookbuild.config.project import (
    chapter_citing,
    check_front_matter,
    did_you_mean,
    load_yaml,
    quarto_schema,
)
from bookbuild.errors import BuildError
from bookbuild.source.fences import FENCE as _FENCE
from bookbuild.source.fences import cell_engine
from bookbuild.source.includes import Origin, Source, expand_includes, relocate
from bookbuild.source.shortcodes import expand_shortcodes, load_context

_INDENTED_FENCE = re.compile(r"^ {4,}(?:`{3,}|~{3,})\s*(?P<info>\{[^`]*?\})\s*$")
_INLINE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
_OTHER_INLINE = re.compile(r"`\{(?P<engine>r|julia|ojs|bash)\}\s+[^`]+`")

# Cell options this build honours, with the types Quarto's schema gives them, and the words
# a string-valued option may take (others take any text): read from the option registry.
CELL_OPTIONS: dict[str, tuple[type, ...]] = registry.cell_types()
_ALLOWED_VALUES: dict[str, tuple[str, ...]] = registry.allowed_words(registry.CELL)
_NUMBERS = ("fig-width", "fig-height", "fig-dpi", "layout-ncol", "layout-nrow")  # positive
_WHOLE = ("fig-dpi", "layout-ncol", "layout-nrow")
# Text options Quarto's schema also takes as a list (`maybeArrayOf: string`).
_LIST_IN_QUARTO = ("fig-cap", "tbl-cap", "fig-scap")


@dataclass(frozen=True)
class Markdown:
    raw: str
    line: int


@dataclass(frozen=True)
class Cell:
    raw: str  # the whole fenced block, fences included
    line: int  # line of the opening fence
    code: str  # the code without `#|` option lines
    options: dict[str, Any]  # parsed `#|` options (without book defaults)


@dataclass(frozen=True)
class Inline:
    expr: str
    line: int


@dataclass
class Document:
    path: Path  # relative to the project root
    front_matter: dict[str, Any]
    front_raw: str
    blocks: list[Markdown | Cell] = field(default_factory=list)
    origins: tuple[Origin, ...] = ()  # per line of source(): where it came from
    bibliography: tuple[Path, ...] = ()  # its front matter's `bibliography:`, from the root
    csl: Path | None = None  # its front matter's `csl:`, from the root

    @property
    def cells(self) -> list[Cell]:
        return [b for b in self.blocks if isinstance(b, Cell)]

    def source(self) -> str:
        return self.front_raw + "".join(b.raw for b in self.blocks)

    def origin(self, line: int) -> tuple[Path, int]:
        """The file and line that line `line` of `source()` came from (through includes)."""
        return self.origins[line - 1] if 0 < line <= len(self.origins) else (self.path, line)

    def inlines(self) -> list[Inline]:
        found: list[Inline] = []
        for block in self.blocks:
            if isinstance(block, Markdown):
                found.extend(find_inlines(block.raw, block.line))
        return found


def prose_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, line with its ending, is prose) for each line of markdown text.

    Fence lines and the lines of fenced code (examples in other languages) are not prose, so
    inline expressions and engine checks skip them.
    """
    in_fence: str | None = None
    for offset, line in enumerate(text.splitlines(keepends=True)):
        match = _FENCE.match(line.rstrip("\r\n"))
        if match:
            fence = match["fence"]
            if in_fence is None:
                in_fence = fence
            elif fence[0] == in_fence[0] and len(fence) >= len(in_fence) and not match["info"]:
                in_fence = None
            yield offset, line, False
        else:
            yield offset, line, in_fence is None


def find_inlines(text: str, first_line: int) -> list[Inline]:
    """Inline `{python} expr` spans in markdown text, skipping other fenced code."""
    return [
        Inline(m["expr"], first_line + offset)
        for offset, line, prose in prose_lines(text)
        if prose
        for m in _INLINE.finditer(line)
    ]


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, its raw text, number of lines it takes)."""
    if not text.startswith("---\n") and not text.startswith("---\r\n"):
        return {}, "", 0
    lines = text.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            raw = "".join(lines[: index + 1])
            data = load_yaml("".join(lines[1:index]), path, first_line=2) or {}
            if not isinstance(data, dict):
                raise BuildError("front matter must be a YAML mapping", path, 1)
            check_front_matter(data, path, raw)
            return data, raw, index + 1
    raise BuildError("front matter opened with '---' is never closed", path, 1)


def _parse_options(lines: list[str], path: Path, line: int) -> tuple[dict[str, Any], int]:
    """Parse the leading `#|` lines of a cell; return (options, number of option lines)."""
    count = 0
    while count < len(lines) and lines[count].lstrip().startswith("#|"):
        count += 1
    text = "\n".join(raw.lstrip()[2:].removeprefix(" ") for raw in lines[:count])
    options = load_yaml(text, path, first_line=line + 1) if text.strip() else {}
    if not isinstance(options, dict):
        raise BuildError("cell options (#|) must be 'key: value' lines", path, line + 1)
    known = quarto_schema()["cell_options"]
    for key, value in options.items():
        key_line = line + 1 + _option_index(lines[:count], key)
        if key not in CELL_OPTIONS:
            if key in known:
                raise BuildError(
                    f"cell option '{key}' is not supported by this build (it is a "
                    "Quarto option; remove it)",
                    path,
                    key_line,
                )
            raise BuildError(
                f"cell option '{key}' is not a Quarto option{did_you_mean(key, known)}",
                path,
                key_line,
            )
        allowed = _ALLOWED_VALUES.get(key)
        bad_type = not isinstance(value, CELL_OPTIONS[key]) or (
            key in _NUMBERS
            and (isinstance(value, bool) or (isinstance(value, int | float) and value <= 0))
        )
        if bad_type and key in _NUMBERS:
            kind = "whole number" if key in _WHOLE else "number"
            raise BuildError(
                f"cell option '{key}' must be a positive {kind}; got {value!r}", path, key_line
            )
        if bad_type and key in _LIST_IN_QUARTO and isinstance(value, list):
            raise BuildError(
                f"cell option '{key}' as a list (one caption per output) is a Quarto form this "
                f"build does not support: give the cell one {key}, and its several figures "
                "fig-subcap captions (or put each output in a cell of its own)",
                path,
                key_line,
            )
        if bad_type or (allowed and isinstance(value, str) and value not in allowed):
            wanted = ", ".join(
                [
                    *(["true", "false"] if bool in CELL_OPTIONS[key] else []),
                    *(allowed or (["text"] if str in CELL_OPTIONS[key] else [])),
                    *(["a list"] if list in CELL_OPTIONS[key] else []),
                ]
            )
            raise BuildError(
                f"cell option '{key}' must be one of: {wanted}; got {value!r}", path, key_line
            )
    return options, count


def _option_index(lines: list[str], key: Any) -> int:
    """Index of the `#|` line that sets `key` (quoted or spaced keys too); 0 if not found."""
    pattern = re.compile(rf"""^\s*['"]?{re.escape(str(key))}['"]?\s*:""")
    return next((i for i, raw in enumerate(lines) if pattern.match(raw.lstrip()[2:])), 0)


def parse_qmd(
    text: str, path: Path, front_matter: tuple[dict[str, Any], str, int] | None = None
) -> Document:
    """Split a `.qmd` source into blocks; raise `BuildError` on malformed input.

    `front_matter` is the result of splitting it off already (so it is checked once).
    """
    front, front_raw, skip = front_matter or _split_front_matter(text, path)
    doc = Document(path=path, front_matter=front, front_raw=front_raw)
    lines = text.splitlines(keepends=True)[skip:]
    buffer: list[str] = []
    buffer_line = skip + 1
    index = 0

    def flush(next_line: int) -> None:
        nonlocal buffer, buffer_line
        if buffer:
            doc.blocks.append(Markdown("".join(buffer), buffer_line))
        buffer, buffer_line = [], next_line

    while index < len(lines):
        line = lines[index]
        number = skip + index + 1
        match = _FENCE.match(line.rstrip("\r\n"))
        if not match:
            indented = _INDENTED_FENCE.match(line.rstrip("\r\n"))
            if indented and cell_engine(indented["info"]):
                raise BuildError(
                    f"a '{indented['info']}' cell indented into a list or block (4 or more "
                    "spaces) is not executed by this build: move it to the left margin",
                    path,
                    number,
                )
            buffer.append(line)
            index += 1
            continue
        fence, info = match["fence"], match["info"]
        close = _find_close(lines, index + 1, fence)
        if close is None:
            raise BuildError(f"code fence {fence} opened here is never closed", path, number)
        name = cell_engine(info)
        if name:
            if name != "python":
                raise BuildError(
                    f"'{{{name}}}' cells are not supported: only {{python}}", path, number
                )
            flush(number)
            body = [raw.rstrip("\r\n") for raw in lines[index + 1 : close]]
            options, count = _parse_options(body, path, number)
            code = "\n".join(body[count:]).strip("\n")
            raw = "".join(lines[index : close + 1])
            doc.blocks.append(Cell(raw=raw, line=number, code=code, options=options))
            buffer_line = skip + close + 2
        else:
            buffer.extend(lines[index : close + 1])
        index = close + 1
    flush(skip + len(lines) + 1)
    for block in doc.blocks:
        if isinstance(block, Markdown):
            _reject_other_inlines(block, path)
    return doc


def _reject_other_inlines(block: Markdown, path: Path) -> None:
    """Inline code of other engines is an error, except inside fenced code (an example)."""
    for offset, line, prose in prose_lines(block.raw):
        other = _OTHER_INLINE.search(line) if prose else None
        if other:
            raise BuildError(
                f"inline `{{{other['engine']}}}` code is not supported: only `{{python}} expr`",
                path,
                block.line + offset,
            )


def _find_close(lines: list[str], start: int, fence: str) -> int | None:
    for index in range(start, len(lines)):
        match = _FENCE.match(lines[index].rstrip("\r\n"))
        if (
            match
            and not match["info"]
            and match["fence"][0] == fence[0]
            and len(match["fence"]) >= len(fence)
        ):
            return index
    return None


def read_qmd(root: Path, relative_path: Path) -> Document:
    """Read one chapter file, expand its includes and shortcodes, and parse it.

    The document keeps each line's origin, and errors name the file and line a line came from.
    """
    path = root / relative_path
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"not valid UTF-8 (byte {exc.start})", relative_path) from None
    front = _split_front_matter(text, relative_path)
    citing = chapter_citing(root, relative_path, front[0], front[1])
    source = Source(text, tuple((relative_path, n) for n in range(1, text.count("\n") + 2)))
    if "{{<" in text:
        source = expand_includes(root, relative_path, text)
        source = expand_shortcodes(source, load_context(root, front[0], relative_path), front[2])
    try:
        doc = parse_qmd(source.text, relative_path, front)
    except BuildError as exc:
        raise relocate(exc, relative_path, source.origins) from None
    doc.origins = source.origins
    doc.bibliography, doc.csl = citing
    return doc


@contextmanager
def errors_at_origin(docs: list[Document]) -> Iterator[None]:
    """Let a `BuildError` raised inside about a line of a document's expanded source name the
    file and line that line came from (an included file's own line), in its message and in
    the `path:line:` lines of its detail."""
    try:
        yield
    except BuildError as exc:
        maps = {str(d.path): d.origins for d in docs if d.origins}
        moved = exc
        if exc.path is not None and str(exc.path) in maps:
            moved = relocate(exc, exc.path, maps[str(exc.path)])

        def line_at(match: re.Match[str]) -> str:
            origins = maps.get(match[1])
            number = int(match[2])
            if not origins or not 0 < number <= len(origins):
                return match[0]
            file, line = origins[number - 1]
            return f"{file}:{line}:"

        detail = re.sub(r"^([^\s:]+\.qmd):(\d+):", line_at, moved.detail, flags=re.M)
        if moved is exc and detail == exc.detail:
            raise
        raise BuildError(moved.message, moved.path, moved.line, detail) from None
