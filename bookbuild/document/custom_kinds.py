"""The book's own float kinds: `crossref: custom:` in `_quarto.yml` or a chapter's front matter.

Each entry (`kind: float`, `key`, `reference-prefix`, ...: the option registry's
`crossref: custom` level) makes a `kinds.Kind` whose labels number as figures do: a
`::: {#dia-x}` div is a float, its last paragraph (or its `dia-cap` attribute) the caption,
"Diagram 1.2: ..." under it, and `@dia-x` shows "Diagram 1.2". As Quarto's documentation has
it, `reference-prefix` is what references show and `caption-prefix` (by default the same) the
caption's title. The LaTeX-only keys are accepted and change nothing in these editions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bookbuild.config import registry
from bookbuild.document.ast import Node
from bookbuild.document.kinds import BY_PREFIX, Kind
from bookbuild.document.layout import figure_of
from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

FLOAT_KIND = "custom-float-kind"  # attribute of a custom float's Figure: its kind's key
CAPTION_AT = "custom-float-caption"  # and where its caption goes (top, bottom)
_KEY = re.compile(r"[a-z]+")  # Quarto reads a label's kind as the letters before its dash
_WHAT = "crossref: custom:"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def item_lines(text: str | None) -> list[int]:
    """The line (1-based) each `- ` entry under `custom:` starts on, in order (empty when
    they cannot be found, e.g. written inline)."""
    lines = (text or "").splitlines()
    at = next((i for i, line in enumerate(lines) if line.strip().startswith("custom:")), None)
    if at is None:
        return []
    found: list[int] = []
    item_indent: int | None = None
    for number, line in enumerate(lines[at + 1 :], start=at + 2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        is_item = stripped.startswith("- ") or stripped == "-"
        if item_indent is None:
            if not is_item:
                break
            item_indent = _indent(line)
        if _indent(line) < item_indent or (_indent(line) == item_indent and not is_item):
            break
        if _indent(line) == item_indent:
            found.append(number)
    return found


def _locator(text: str | None, index: int) -> Callable[[str | None], int | None]:
    """Where entry `index` is: its first line, or (given a key) the line of that key in it."""
    items = item_lines(text)
    lines = (text or "").splitlines()
    custom = next(
        (n for n, line in enumerate(lines, 1) if line.strip().startswith("custom:")), None
    )
    if index >= len(items):
        return lambda _key: custom
    start = items[index]
    end = items[index + 1] if index + 1 < len(items) else len(lines) + 1

    def line(key: str | None) -> int | None:
        if key is not None:
            for number in range(start, end):
                stripped = lines[number - 1].strip().removeprefix("- ").strip()
                if stripped.startswith(f"{key}:"):
                    return number
        return start

    return line


def _checked(entry: dict[str, Any], fail: Callable[[str, str | None], BuildError]) -> None:
    """Every key of `entry` is a custom kind's option, with a value of its type."""
    options = registry.at(registry.CUSTOM)
    for name, value in entry.items():
        option = options.get(name)
        if option is None:
            raise fail(
                f"'{name}' is not an option of a custom kind (its options: "
                + ", ".join(options)
                + ")",
                str(name),
            )
        if name == "kind" and value != "float":
            raise fail(
                f"kind '{value}' is not supported: a custom cross-reference kind is a float "
                "(kind: float), the only kind Quarto has",
                name,
            )
        if not isinstance(value, option.types) or (option.allowed and value not in option.allowed):
            raise fail(f"'{name}' must be {_expected(option)}; got {value!r}", name)


def _expected(option: registry.Option) -> str:
    """What an option's value must be, in words: "true or false", "one of: top, bottom"."""
    if bool in option.types:
        return "true or false"
    return f"one of: {', '.join(option.allowed)}" if option.allowed else "text"


def custom_kind(entry: Any, fail: Callable[[str, str | None], BuildError]) -> Kind:
    """The kind one `crossref: custom:` entry defines (`fail` makes the error for a problem,
    given the key it is at)."""
    if not isinstance(entry, dict):
        raise fail("each entry is a mapping (kind: float, key: ..., reference-prefix: ...)", None)
    _checked(entry, fail)
    for required in ("kind", "key", "reference-prefix"):
        if required not in entry:
            raise fail(f"an entry needs '{required}' (kind: float, key: dia, reference-prefix: "
                       "Diagram)", None)  # fmt: skip
    key = entry["key"]
    if not _KEY.fullmatch(key):
        raise fail(f"key '{key}' must be lowercase letters (it is the labels' prefix)", "key")
    if key in BY_PREFIX:
        raise fail(
            f"key '{key}' is the built-in kind {BY_PREFIX[key].name}: choose another key", "key"
        )
    reference = entry["reference-prefix"]
    where = entry.get("caption-location", "bottom")
    return Kind(
        key,
        str(entry.get("caption-prefix", reference)),
        "float",
        ref=reference,
        space=entry.get("space-before-numbering", True),
        caption="top" if where == "top" else "bottom",
    )


def custom_kinds(
    entries: Any, path: Path | None, text: str | None, inherited: tuple[Kind, ...] = ()
) -> tuple[Kind, ...]:
    """The kinds `crossref: custom:` defines (`text`: the file it is in, for errors' lines)
    after `inherited` (the book's, for a chapter), an entry replacing one with its key."""
    if entries is None:
        return inherited
    if not isinstance(entries, list):
        raise BuildError(
            f"{_WHAT} must be a list of float kinds (- kind: float, key: ..., "
            "reference-prefix: ...)",
            path,
            _locator(text, 0)(None),
        )
    found = {kind.prefix: kind for kind in inherited}
    own: set[str] = set()
    for index, entry in enumerate(entries):
        line = _locator(text, index)

        def fail(what: str, key: str | None, line: Callable = line) -> BuildError:
            return BuildError(f"{_WHAT} {what}", path, line(key))

        kind = custom_kind(entry, fail)
        if entry.get("caption-location") == "margin":
            log.warning(
                "%s:%s: %s caption-location margin is shown at the bottom (this build keeps "
                "captions with their floats)",
                path,
                line("caption-location"),
                _WHAT,
            )
        if kind.prefix in own:
            raise fail(f"key '{kind.prefix}' is defined twice", "key")
        own.add(kind.prefix)
        found[kind.prefix] = kind
    return tuple(found.values())


def custom_keys(meta: dict[str, Any]) -> frozenset[str]:
    """The custom kinds' keys a chapter's metadata (its front matter over `_quarto.yml`)
    names, unchecked (`custom_kinds` checks them when numbering)."""
    crossref = meta.get("crossref")
    entries = crossref.get("custom") if isinstance(crossref, dict) else None
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        e["key"] for e in entries if isinstance(e, dict) and isinstance(e.get("key"), str)
    )


def custom_floats(nodes: list[Node], kinds: dict[str, Kind]) -> None:
    """In place: each div labelled with a custom kind's key becomes that kind's float (a
    Figure marked with its key and caption location). `nodes`: the chapter's elements."""
    if not kinds:
        return
    for node in nodes:
        if node["t"] != "Div":
            continue
        prefix, dash, _ = node["c"][0][0].partition("-")
        kind = kinds.get(prefix) if dash else None
        if kind is None:
            continue
        figure = figure_of(node)
        figure["c"][0][2] = [
            *figure["c"][0][2],
            [FLOAT_KIND, kind.prefix],
            [CAPTION_AT, kind.caption],
        ]
        node["t"], node["c"] = figure["t"], figure["c"]


def float_kind(node: Node) -> tuple[str, str] | None:
    """(key, caption location) of a custom float's Figure, else None."""
    attrs = dict(node["c"][0][2])
    return (attrs[FLOAT_KIND], attrs.get(CAPTION_AT, "bottom")) if FLOAT_KIND in attrs else None


def without_marks(attrs: list[list[str]]) -> list[list[str]]:
    """A float's attributes without the marks `custom_floats` adds."""
    return [kv for kv in attrs if kv[0] not in (FLOAT_KIND, CAPTION_AT)]
