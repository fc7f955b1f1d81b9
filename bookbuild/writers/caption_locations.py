"""Where each edition puts the captions of figures, tables and listings: `fig-cap-location`,
`tbl-cap-location`, `lst-cap-location` under `format: html:`/`format: typst:`, over the same
keys at the top level of `_quarto.yml` (both editions), over Quarto's defaults."""

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
