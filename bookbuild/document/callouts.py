"""Callouts (`::: {.callout-note}` and the other four kinds), read as Quarto reads them.

`callout_of` turns a callout div into a `Callout`: its kind, title, `collapse`, `appearance`
and `icon`, with Quarto's rules for the title (a default appearance shows the kind's name
when no title is given; `simple` and `minimal` show none). `check_callouts` stops the build
at an unknown kind or a bad option value, naming the line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from bookbuild.document.ast import Node, Space, Str, stringify, walk
from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")
CALLOUT_TITLES = {kind: kind.capitalize() for kind in CALLOUT_KINDS}
APPEARANCES = ("default", "simple", "minimal")
BOOLEANS = ("true", "false")
# Attributes the callout itself consumes (the rest stay on the element).
OPTIONS = ("title", "collapse", "appearance", "icon")
# Attributes the build itself adds: the hoisted heading's inlines, and crossref's number.
TITLE_INLINES, TITLE_PREFIX = "title-inlines", "title-prefix"
TITLE_DEFAULT = "title-default"  # an untitled callout's title from `language:`


@dataclass
class Callout:
    kind: str
    title: str  # "" when none is shown
    collapse: str | None  # None, "true" (starts closed) or "false" (starts open)
    appearance: str  # "default" or "simple" (minimal is simple without an icon)
    body: list[Node]
    ident: str
    title_nodes: list[Node]  # the title as inlines (a heading's formatting kept)


def callout_kind(node: Node) -> str | None:
    """The kind of a callout div ("note", ...), or None for anything else."""
    if node.get("t") != "Div":
        return None
    for cls in node["c"][0][1]:
        if cls.startswith("callout-") and cls.removeprefix("callout-") in CALLOUT_KINDS:
            return cls.removeprefix("callout-")
    return None


def callout_of(node: Node) -> Callout | None:
    kind = callout_kind(node)
    if kind is None:
        return None
    attrs = dict(node["c"][0][2])
    blocks = node["c"][1]
    given = attrs.get("title", "")
    nodes = (
        json.loads(attrs[TITLE_INLINES])
        if TITLE_INLINES in attrs
        else ([Str(given)] if given else [])
    )
    if not given and blocks and blocks[0]["t"] == "Header":
        given, nodes, blocks = stringify(blocks[0]["c"][2]), blocks[0]["c"][2], blocks[1:]
    prefix = attrs.get(TITLE_PREFIX, "")  # "Note 1.2" on a numbered callout
    title = f"{prefix}: {given}" if prefix and given else prefix or given
    if prefix:
        nodes = [Str(prefix), *([Str(":"), Space(), *nodes] if given else [])]
    appearance = attrs.get("appearance", "default")
    appearance = "simple" if appearance == "minimal" else appearance
    if not title and (appearance == "default" or attrs.get("collapse")):
        title = attrs.get(TITLE_DEFAULT) or CALLOUT_TITLES[kind]
        nodes = [Str(title)]
    return Callout(kind, title, attrs.get("collapse"), appearance, blocks, node["c"][0][0], nodes)


def hoist_callout_titles(blocks: list[Node]) -> list[Node]:
    """Move a callout's leading heading into its `title` attribute (before numbering), so the
    heading is neither numbered nor listed as a section."""
    for node in walk(blocks):
        inner = node["c"][1] if callout_kind(node) else []
        attrs = node["c"][0][2] if inner else []
        if inner and inner[0]["t"] == "Header" and not any(k == "title" for k, _ in attrs):
            heading = inner[0]["c"][2]
            node["c"][0][2] = [
                *attrs,
                ["title", stringify(heading)],
                [TITLE_INLINES, json.dumps(heading, ensure_ascii=False)],
            ]
            node["c"][1] = inner[1:]
    return blocks


def _line(source: str, needle: str) -> int | None:
    return next((n for n, line in enumerate(source.splitlines(), 1) if needle in line), None)


def check_callouts(nodes: list[Node], path: Path, source: str) -> None:
    """An unknown callout kind or a bad `collapse`/`appearance`/`icon` value is an error.
    `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if node["t"] != "Div":
            continue
        classes = node["c"][0][1]
        unknown = [
            c
            for c in classes
            if c.startswith("callout-") and c.removeprefix("callout-") not in CALLOUT_KINDS
        ]
        if unknown and callout_kind(node) is None:
            raise BuildError(
                f"unknown callout kind '.{unknown[0]}': use one of "
                + ", ".join(f".callout-{k}" for k in CALLOUT_KINDS),
                path,
                _line(source, unknown[0]),
            )
        if callout_kind(node) is None:
            if "callout" in classes:
                raise BuildError(
                    "a callout needs its kind: use one of "
                    + ", ".join(f".callout-{k}" for k in CALLOUT_KINDS),
                    path,
                    _line(source, "callout"),
                )
            continue
        attrs = dict(node["c"][0][2])
        for key, allowed in (
            ("collapse", BOOLEANS),
            ("appearance", APPEARANCES),
            ("icon", BOOLEANS),
        ):
            if key in attrs and attrs[key] not in allowed:
                raise BuildError(
                    f'callout {key}="{attrs[key]}" is not a valid value: use '
                    + " or ".join(f'"{a}"' for a in allowed),
                    path,
                    _line(source, f"{key}="),
                )
        if attrs.get("icon") == "true":
            log.warning(
                '%s:%s: callout icon="true" is ignored: this build draws no callout icons',
                path,
                _line(source, "icon="),
            )


def title_inlines(callout: Callout) -> list[Node]:
    return callout.title_nodes if callout.title else []
