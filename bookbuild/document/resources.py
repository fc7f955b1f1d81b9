"""Local files an edition needs besides its pages: Markdown images and `project: resources:`.

Image paths resolve as Quarto resolves them: relative to the chapter's folder, or to the
project root when they start with `/` (text pasted by an include counts as the chapter's).
Each file is copied into the edition at its path under the project root, and every image in
the chapters' ASTs is pointed at that path, which is where the flat HTML pages and the Typst
document (typeset in the edition folder) both find it. A missing image, one outside the
project or of a format the editions cannot show is an error with its file and line.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote

from bookbuild.config.project import CONFIG_NAME, load_yaml
from bookbuild.document.ast import walk
from bookbuild.document.chapter import Chapter
from bookbuild.errors import BuildError, line_holding
from bookbuild.source.includes import resolve_path
from bookbuild.source.qmd import Document, Markdown, prose_lines

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\[\]]|\[[^\]]*\])*)\]\(\s*"
    r"""(?:<(?P<angle>[^>]*)>|(?P<bare>[^)\s]+(?: +[^)\s"'(][^)\s]*)*))"""
)
_HTML_IMG = re.compile(
    r"""(<img\b[^>]*?\bsrc\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.IGNORECASE
)
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(?:<(?P<angle>[^>]*)>|(?P<bare>\S+))")
_CODE_SPAN = re.compile(r"(`+).*?[^`]\1(?!`)")
log = logging.getLogger("bookbuild")
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|#|//)")


DEFAULT_EXTENSION = ".png"  # Quarto's default-image-extension for HTML


def with_default_extension(root: Path, relative: str) -> str:
    """An image path without an extension with Quarto's default one added (`img/plot` is
    `img/plot.png`) when that file is there; any other path as it is."""
    if Path(relative).suffix or not (root / (relative + DEFAULT_EXTENSION)).is_file():
        return relative
    return relative + DEFAULT_EXTENSION


def is_local(target: str) -> bool:
    """Whether an image target names a file of the project (not a URL, data URI or anchor)."""
    return bool(target) and not _EXTERNAL.match(target)


def image_targets(doc: Document) -> list[tuple[str, tuple[Path, int], bool]]:
    """(target, where it is written, surely an image) of each image in a document's prose:
    Markdown images and HTML `<img src>` surely; reference definitions (`[id]: file`) maybe,
    as their target may be a link's."""
    found = []
    for block in doc.blocks:
        if not isinstance(block, Markdown):
            continue
        for offset, line, prose in prose_lines(block.raw):
            if not prose or not ("![" in line or "<img" in line.lower() or "]:" in line):
                continue
            where = doc.origin(block.line + offset)
            text = _CODE_SPAN.sub(lambda m: " " * len(m[0]), line)
            targets = [
                (m["angle"] if m["angle"] is not None else m["bare"], True)
                for m in _IMAGE.finditer(text)
            ]
            targets += [
                (m["dq"] if m["dq"] is not None else m["sq"], True)
                for m in _HTML_IMG.finditer(text)
            ]
            targets += [
                (m["angle"] if m["angle"] is not None else m["bare"], False)
                for m in _REFERENCE.finditer(text)
            ]
            found += [(unquote(t), where, sure) for t, sure in targets if is_local(t)]
            for m in _IMAGE.finditer(text):
                if not m["alt"].strip():
                    log.warning(
                        "%s:%d: image '%s' has no alt text: the PDF marks it decorative; "
                        "give it a description (`![what it shows](file)`) if it carries meaning",
                        where[0].name,
                        where[1],
                        _shown(m["angle"] if m["angle"] is not None else m["bare"]),
                    )
    return found


def _shown(target: str) -> str:
    """An image target as a message shows it: a data: URI cut short."""
    return target[:40] + "..." if target[:5].lower() == "data:" and len(target) > 43 else target


def _resource_patterns(root: Path) -> tuple[list[str], int | None]:
    text = (root / CONFIG_NAME).read_text("utf-8")
    project = (load_yaml(text, Path(CONFIG_NAME)) or {}).get("project") or {}
    patterns = project.get("resources") if isinstance(project, dict) else None
    line = next(
        (n for n, raw in enumerate(text.splitlines(), 1) if raw.strip().startswith("resources:")),
        None,
    )
    if patterns is None:
        return [], line
    patterns = patterns if isinstance(patterns, list) else [patterns]
    if not all(isinstance(p, str) and p for p in patterns):
        raise BuildError(
            "project: resources: must be a file name or glob, or a list of them",
            Path(CONFIG_NAME),
            line,
        )
    return patterns, line


def _pattern_line(root: Path, pattern: str, after: int | None) -> int | None:
    lines = (root / CONFIG_NAME).read_text("utf-8").splitlines()
    start = after or 1
    return next((n for n, raw in enumerate(lines[start - 1 :], start) if pattern in raw), after)


def _resources(root: Path, output: Path) -> dict[str, Path]:
    """Files matched by `project: resources:` (globs; `!pattern` excludes), by relative path."""
    patterns, first = _resource_patterns(root)
    chosen: dict[str, Path] = {}
    for pattern in patterns:
        line = _pattern_line(root, pattern, first)
        negate = pattern.startswith("!")
        glob = pattern[1:] if negate else pattern
        if glob.startswith("/") or ".." in Path(glob).parts:
            raise BuildError(
                f"project: resources: '{pattern}' is outside the project", Path(CONFIG_NAME), line
            )
        matches = [
            p
            for p in sorted(root.glob(glob))
            if p.is_file()
            and not p.resolve().is_relative_to(output.resolve())
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        ]
        if not matches and not negate:
            raise BuildError(
                f"project: resources: '{pattern}' matches no file", Path(CONFIG_NAME), line
            )
        for path in matches:
            key = path.relative_to(root).as_posix()
            if negate:
                chosen.pop(key, None)
            else:
                chosen[key] = path
    return chosen


def edition_files(
    root: Path, docs: list[Document], generated: set[str], output: Path
) -> dict[str, bytes]:
    """The bytes of every local image the chapters show and every `resources:` file, by their
    path under the project root (also their path in the edition)."""
    files: dict[str, bytes] = {}
    for doc in docs:
        for target, where, sure in image_targets(doc):
            if target in generated:
                continue
            if not sure:
                maybe = _maybe_image(root, doc.path, target, where)
                if maybe:
                    files[maybe] = (root / maybe).read_bytes()
                continue
            relative = resolve_path(root, doc.path, target, where, "image").as_posix()
            relative = with_default_extension(root, relative)
            suffix = Path(relative).suffix.lower()
            if suffix not in IMAGE_TYPES:
                what = (
                    f"is a {suffix} file"
                    if suffix
                    else f"has no file extension and {relative}{DEFAULT_EXTENSION} (Quarto's "
                    "default-image-extension) is not there"
                )
                if suffix == ".pdf":
                    what += (
                        " (the PDF edition, PDF/A and PDF/UA, cannot embed a PDF, and browsers "
                        "do not show one as an image; convert it to SVG, e.g. with pdftocairo "
                        "-svg)"
                    )
                raise BuildError(
                    f"image '{target}' {what}: use a PNG, JPEG, GIF or SVG file, "
                    "which both editions show",
                    *where,
                )
            if not (root / relative).is_file():
                raise BuildError(f"image not found: {relative}", *where)
            files[relative] = (root / relative).read_bytes()
    for relative, path in _resources(root, output).items():
        files.setdefault(relative, path.read_bytes())
    return files


def _maybe_image(root: Path, chapter: Path, target: str, where: tuple[Path, int]) -> str | None:
    """The path of a reference definition's target if it is an image file of the project."""
    try:
        relative = resolve_path(root, chapter, target, where, "image").as_posix()
    except BuildError:
        return None
    is_image = Path(relative).suffix.lower() in IMAGE_TYPES
    return relative if is_image and (root / relative).is_file() else None


def point_images(
    chapters: list[Chapter], root: Path, generated: set[str], available: set[str]
) -> None:
    """Point each local image of the chapters' ASTs at its path under the project root.

    `generated` are the figures the cells made (already at their place); `available` the
    files `edition_files` found. Any other image (written by a cell's markdown output) is an
    error rather than a broken picture.
    """
    for chapter in chapters:

        def placed(target: str, chapter: Chapter = chapter) -> str:
            if not is_local(target) or target in generated:
                return target
            relative = resolve_path(
                root, chapter.path, unquote(target), (chapter.path, None), "image"
            ).as_posix()
            relative = with_default_extension(root, relative)
            if relative in available:
                return quote(relative)  # a URL, as Pandoc writes it (the PDF unquotes it)
            line = line_holding(chapter.source, target)
            if not (root / relative).is_file():
                raise BuildError(f"image not found: {relative}", chapter.path, line)
            raise BuildError(
                f"image '{target}' is not a file of the edition (an image a "
                "cell's output writes must also be shown by the chapter's "
                "markdown, or be a generated figure)",
                chapter.path,
                line,
            )

        for node in walk(chapter.blocks):
            kind = node.get("t")
            if kind == "Image":
                node["c"][2][0] = placed(node["c"][2][0])
            elif (
                kind in ("RawInline", "RawBlock")
                and node["c"][0] == "html"
                and "<img" in node["c"][1].lower()
            ):
                node["c"][1] = _HTML_IMG.sub(
                    lambda m: m[1] + '"' + html.escape(_placed_src(placed, _src(m))) + '"',
                    node["c"][1],
                )


def _src(match: re.Match[str]) -> str:
    return html.unescape(match["dq"] if match["dq"] is not None else match["sq"])


def _placed_src(placed: Callable[[str], str], target: str) -> str:
    """An `<img src>` pointed at its place, keeping a leading `./` (as Quarto writes it)."""
    new = placed(target)
    keep = target.startswith("./") and not new.startswith("./") and is_local(new)
    return "./" + new if keep else new


def check_not_overwritten(staging: Path, files: dict[str, bytes]) -> None:
    """Error when a page, asset or PDF the writers made took the path of an image or resource
    (e.g. an `assets/book.css` of the project's own): the edition would show the wrong file."""
    for relative, data in sorted(files.items()):
        path = staging / relative
        if path.is_file() and path.read_bytes() != data:
            raise BuildError(
                f"'{relative}' has the path of a file the build writes into the "
                "edition; move or rename it",
                Path(relative),
            )
