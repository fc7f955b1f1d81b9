"""`include-in-header`, `include-before-body`, `include-after-body`: text put as it is into
every page of the HTML edition (in `<head>`, after `<body>` opens, before `</body>`), as
Quarto does for a book, or into the PDF's Typst source.

Each option holds a file's name (relative to the project), a `text:` or `file:` mapping, or a
list of these. At the top level of `_quarto.yml` and under `format: html:` (after the top
level's) they go to the HTML pages; under `format: typst:` (or `pdf:`) they hold Typst code:
the header's goes after the template's own settings (before the title page), the others
before and after the chapters. A top-level option is not put into the PDF (it holds HTML in a
book that has both editions), with a warning. `{{< meta >}}`, `{{< var >}}` and `{{< env >}}`
in a `text:` are resolved, as in a raw block; a file is put in as written.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

KEYS = ("include-in-header", "include-before-body", "include-after-body")
_SHAPE = "a file's name, a `text:` or `file:` mapping, or a list of these"


def _line(text: str, key: str) -> int | None:
    from bookbuild.config.project import _line_of

    return _line_of(text, key)


def _items(value: Any, key: str, path: Path, text: str) -> list[tuple[str, str]]:
    """(kind, content) for each item of an option's value: ("file", name) or ("text", text)."""
    items: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            items.append(("file", item))
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("text", "file"):
            kind, content = next(iter(item.items()))
            if not isinstance(content, str):
                raise BuildError(f"{key}: {kind}: must be text", path, _line(text, key))
            items.append((kind, content))
        else:
            raise BuildError(f"{key} must be {_SHAPE}; got {item!r}", path, _line(text, key))
    return items


def _content(
    root: Path,
    base: Path,
    kind: str,
    content: str,
    key: str,
    where: tuple[Path, int | None],
    meta: dict[str, Any],
) -> str:
    """One item's text: a file's (checked; relative to `base`), or a `text:` with its
    shortcodes resolved against `meta` (the front matter over `_quarto.yml`)."""
    from bookbuild.config.project import read_text
    from bookbuild.source.shortcodes import load_context, resolve_raw

    path, line = where
    if kind == "file":
        full = (base / content).resolve()
        if not full.is_relative_to(root.resolve()):
            raise BuildError(f"{key}: {content} is outside the project", path, line)
        if not full.is_file():
            raise BuildError(f"{key}: file not found: {content}", path, line)
        return read_text(full)
    return resolve_raw(content, load_context(root, meta), (path, line or 1))


def gather(
    root: Path,
    options: list[dict[str, Any]],
    path: Path,
    text: str,
    meta: dict[str, Any] | None = None,
    base: Path | None = None,
) -> dict[str, str]:
    """Each option's text, from the option mappings in order (the top level's, then the
    format's): {key: text}, every item ending with a newline. `meta`: a chapter's front
    matter, for shortcodes; `base`: the folder its files are relative to (the root's)."""
    found: dict[str, str] = {}
    for mapping in options:
        for key in KEYS:
            if mapping.get(key) is None:
                continue
            where = (path, _line(text, key))
            for kind, content in _items(mapping[key], key, path, text):
                piece = _content(root, base or root, kind, content, key, where, meta or {})
                found[key] = found.get(key, "") + piece + ("" if piece.endswith("\n") else "\n")
    return found


def _config(root: Path) -> tuple[dict[str, Any], Path, str]:
    from bookbuild.config.project import CONFIG_NAME, load_yaml

    text = (root / CONFIG_NAME).read_text("utf-8")
    return load_yaml(text, Path(CONFIG_NAME)) or {}, Path(CONFIG_NAME), text


def html_includes(root: Path) -> dict[str, str]:
    """The HTML pages' includes: the top level's, then `format: html:`'s."""
    config, path, text = _config(root)
    html = (config.get("format") or {}).get("html") or {}
    return gather(root, [config, html if isinstance(html, dict) else {}], path, text)


def chapter_includes(
    root: Path, meta: dict[str, Any], chapter: Path, source: str
) -> dict[str, str]:
    """A chapter's own includes (its front matter's; files relative to its folder), for its
    page only, as Quarto does. `meta`: its front matter over `_quarto.yml` (`Chapter.meta`)."""
    config, _, _ = _config(root)
    own = {k: meta[k] for k in KEYS if meta.get(k) is not None and meta[k] != config.get(k)}
    if not own:
        return {}
    return gather(root, [own], chapter, source, meta, root / chapter.parent)


def typst_includes(root: Path) -> dict[str, str]:
    """The PDF's includes (Typst code): `format: typst:`'s (or `pdf:`'s)."""
    config, path, text = _config(root)
    formats = config.get("format") or {}
    typst = formats.get("typst") or formats.get("pdf") or {}
    return gather(root, [typst if isinstance(typst, dict) else {}], path, text)


def check(root: Path, config: dict[str, Any], path: Path, text: str) -> None:
    """Read every include of `_quarto.yml` (an error names the key's line); a top-level one
    is warned about for the PDF."""
    html_includes(root)
    typst_includes(root)
    formats = config.get("format") or {}
    if "typst" in formats or "pdf" in formats:
        for key in KEYS:
            if config.get(key) is not None:
                log.warning(
                    "%s:%s: %s at the top level goes into the HTML pages only (it holds HTML); "
                    "for the PDF, give Typst code under format: typst:",
                    path,
                    _line(text, key) or 1,
                    key,
                )


def named_files(root: Path, metas: list[tuple[Path, dict[str, Any]]]) -> list[Path]:
    """Every file the include options name, from the root: `_quarto.yml`'s (top level,
    `format: html:`, `format: typst:`/`pdf:`) and each chapter's (`metas`: its path and front
    matter), which the edition key covers so that an edited include is rendered again."""
    config, _, _ = _config(root)
    formats = config.get("format") or {}
    mappings = [(Path(), config)] + [
        (Path(), formats.get(name) or {}) for name in ("html", "typst", "pdf")
    ]
    mappings += [(chapter.parent, meta) for chapter, meta in metas]
    found: list[Path] = []
    for folder, mapping in mappings:
        if not isinstance(mapping, dict):
            continue
        for key in KEYS:
            value = mapping.get(key)
            items = value if isinstance(value, list) else [value]
            for item in items:
                name = item.get("file") if isinstance(item, dict) else item
                if isinstance(name, str):
                    found.append(folder / name)
    return found
