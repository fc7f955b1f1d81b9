"""Where each edition puts the captions of figures, tables and listings: `fig-cap-location`,
`tbl-cap-location`, `lst-cap-location` under `format: html:`/`format: typst:`, over the same
keys at the top level of `_quarto.yml` (both editions), over Quarto's defaults; a chapter's
own front matter sets them for that chapter (`chapter_locations`)."""

from __future__ import annotations

from typing import Any

KEYS = {"fig": "fig-cap-location", "tbl": "tbl-cap-location", "lst": "lst-cap-location"}
DEFAULTS = {"fig": "bottom", "tbl": "top", "lst": "top"}


def caption_locations(options: dict[str, Any], metadata: dict[str, Any]) -> dict[str, str]:
    """The kinds whose captions an edition moves from Quarto's default place ("top" or
    "bottom"); empty when all stay (`options`: the edition's format options)."""
    found = {}
    for kind, key in KEYS.items():
        value = options.get(key, metadata.get(key))
        if value in ("top", "bottom") and value != DEFAULTS[kind]:
            found[kind] = value
    return found


def location(kind: str, locations: dict[str, str]) -> str:
    """Where a caption of `kind` (fig, tbl, lst) goes: "top" or "bottom"."""
    return locations.get(kind, DEFAULTS[kind])


def chapter_locations(
    locations: dict[str, str], book_meta: dict[str, Any], chapter_meta: dict[str, Any]
) -> dict[str, str]:
    """`locations` (the edition's) for one chapter: a value its own front matter gives (its
    metadata differs there from the book's) wins."""
    found = dict(locations)
    for kind, key in KEYS.items():
        value = chapter_meta.get(key)
        if value in ("top", "bottom") and value != book_meta.get(key):
            found.pop(kind, None)
            if value != DEFAULTS[kind]:
                found[kind] = value
    return found


def explicit(locations: dict[str, str]) -> dict[str, str]:
    """Every kind's caption place, defaults included (to restore them after a chapter)."""
    return {kind: location(kind, locations) for kind in KEYS}
