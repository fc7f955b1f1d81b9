"""`{{< include file >}}`: paste other files into a chapter, remembering where each line came from.

As in Quarto, an include is a line holding only the shortcode, outside code fences; its content
is pasted in place (followed by a blank line), nested includes are expanded too, and every
relative path — of an include at any depth, as of an image or link inside included text —
resolves against the directory of the chapter being rendered; a path starting with `/` is
relative to the project root. A missing file, a cycle or a path leaving the project is an error
naming the including file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bookbuild.errors import BuildError
from bookbuild.source.fences import FENCE as _FENCE

_INCLUDE = re.compile(r"^\s*\{\{<\s*include(?:\s+(?P<args>.*?))?\s*>\}\}\s*$")

Origin = tuple[Path, int]  # (file relative to the project root, 1-based line)


@dataclass(frozen=True)
class Source:
    """A chapter's text with includes expanded; `origins[i]` is where line i + 1 came from."""

    text: str
    origins: tuple[Origin, ...]


def relocate(error: BuildError, path: Path, origins: tuple[Origin, ...]) -> BuildError:
    """`error` pointing at the file and line a chapter's expanded line came from."""
    if error.path != path or not error.line or not 0 < error.line <= len(origins):
        return error
    file, line = origins[error.line - 1]
    if (file, line) == (path, error.line):
        return error
    moved = BuildError(error.message, file, line, error.detail)
    moved.__cause__ = error.__cause__
    return moved


def resolve_path(
    root: Path, chapter: Path, target: str, where: tuple[Path, int | None], what: str
) -> Path:
    """A path written in `chapter` (or text included into it), relative to the project root.

    `/x` is relative to the project root, anything else to the chapter's directory; the result
    must stay inside the project.
    """
    posix = PurePosixPath(target)
    joined = (
        PurePosixPath(*posix.parts[1:])
        if posix.is_absolute()
        else PurePosixPath(chapter.parent.as_posix()) / posix
    )
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                raise BuildError(f"{what} '{target}' is outside the project", *where)
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    relative = Path(*parts) if parts else Path(".")
    full = (root / relative).resolve()
    if not full.is_relative_to(root.resolve()):
        raise BuildError(f"{what} '{target}' is outside the project (through a link)", *where)
    return relative


def _argument(args: str | None, where: Origin) -> str:
    text = (args or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    if not text:
        raise BuildError("include shortcode needs a file name: {{< include file.qmd >}}", *where)
    return text


def _front_matter_lines(lines: list[str]) -> int:
    """How many leading lines a YAML front-matter block takes (0 when there is none)."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index + 1
    return 0


def expand_includes(root: Path, chapter: Path, text: str) -> Source:
    """`text` of `chapter` with every include expanded (its front matter is left as it is)."""
    out: list[str] = []
    origins: list[Origin] = []

    def paste(file: Path, lines: list[str], first: int, stack: tuple[Path, ...]) -> None:
        fence: str | None = None
        for offset, line in enumerate(lines):
            number = first + offset
            match = _FENCE.match(line.rstrip("\r\n"))
            if match:
                mark = match["fence"]
                if fence is None:
                    fence = mark
                elif mark[0] == fence[0] and len(mark) >= len(fence) and not match["info"]:
                    fence = None
            include = _INCLUDE.match(line) if fence is None and not match else None
            if include is None:
                out.append(line)
                origins.append((file, number))
                continue
            where = (file, number)
            target = resolve_path(
                root, chapter, _argument(include["args"], where), where, "included file"
            )
            if target in stack:
                chain = " -> ".join(str(p) for p in (*stack, target))
                raise BuildError(f"include cycle: {chain}", *where)
            if not (root / target).is_file():
                raise BuildError(f"included file not found: {target}", *where)
            try:
                included = (root / target).read_text("utf-8")
            except UnicodeDecodeError as exc:
                raise BuildError(f"not valid UTF-8 (byte {exc.start})", target) from None
            inner = included.splitlines(keepends=True)
            if _front_matter_lines(inner):
                raise BuildError(
                    "an included file cannot have front matter (Quarto would "
                    "merge it into the whole chapter); move its options to the "
                    "chapter",
                    target,
                    1,
                )
            paste(target, inner, 1, (*stack, target))
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.append("\n")  # Quarto ends every included text with a blank line
            origins.append(where)

    lines = text.splitlines(keepends=True)
    skip = _front_matter_lines(lines)
    out.extend(lines[:skip])
    origins.extend((chapter, n) for n in range(1, skip + 1))
    paste(chapter, lines[skip:], skip + 1, (chapter,))
    return Source("".join(out), tuple(origins))
