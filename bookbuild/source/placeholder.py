"""Quarto's `placeholder` shortcode: a grey image of a given size, labelled with that size.

`{{< placeholder >}}` is 100 × 100, `{{< placeholder 300 >}}` 300 × 300, `{{< placeholder 400
200 >}}` 400 × 200 (pixels), drawn as SVG and written inline as a `data:` URI, which both
editions show without a file (the PDF from the URI's bytes). `format=png` rasterizes it (with
Typst, at 96 pixels per inch, as Quarto does). Where Quarto's HTML embeds the PNG by
default, this build embeds the SVG in both editions: the same picture, drawn sharp.
"""

from __future__ import annotations

import base64
import functools

from bookbuild.errors import BuildError
from bookbuild.source.includes import Origin

FORMATS = ("svg", "png")


def _size(value: str, where: Origin) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise BuildError(
            f"placeholder shortcode: size '{value}' is not a positive whole number of pixels "
            "({{< placeholder WIDTH [HEIGHT] >}})",
            *where,
        )
    return int(value)


def placeholder_svg(width: int, height: int) -> str:
    """A `width` × `height` grey rectangle with its size written in the middle."""
    font = max(1, min(width, height) // 10)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="#ddd"/>'
        f'<text x="50%" y="50%" font-family="sans-serif" font-size="{font}" fill="#000" '
        f'text-anchor="middle">{width} x {height}</text></svg>'
    )


@functools.lru_cache(maxsize=64)
def _png(svg: str) -> bytes:
    import typst

    escaped = svg.replace("\\", "\\\\").replace('"', '\\"')
    page = f'#set page(width: auto, height: auto, margin: 0pt)\n#image(bytes("{escaped}"))\n'
    return typst.compile(page.encode("utf-8"), format="png", ppi=96)


def placeholder_uri(args: list[str], kwargs: dict[str, str], where: Origin) -> str:
    """The `data:` URI of a placeholder shortcode's image."""
    unknown = sorted(set(kwargs) - {"format"})
    if unknown or len(args) > 2:
        raise BuildError(
            "placeholder shortcode takes a width, an optional height and format=svg|png"
            + (f" (not '{unknown[0]}')" if unknown else ""),
            *where,
        )
    fmt = kwargs.get("format", "svg") or "svg"
    if fmt not in FORMATS:
        raise BuildError(
            f"placeholder shortcode: format '{fmt}' is not one of: {', '.join(FORMATS)}", *where
        )
    width = _size(args[0], where) if args else 100
    height = _size(args[1], where) if len(args) > 1 else width
    svg = placeholder_svg(width, height)
    if fmt == "png":
        return "data:image/png;base64," + base64.b64encode(_png(svg)).decode("ascii")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
