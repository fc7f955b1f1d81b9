"""The `{{< brand logo SIZE [light|dark] >}}` shortcode: a logo of the brand as an image.

The brand is the chapter's `brand:` metadata (its front matter over `_quarto.yml`; a mapping or
the name of a file) or the project's `_brand.yml`. It is one brand (`logo:` whose sizes may be
`{light, dark}`) or two (`light:` and `dark:`, each with its own `logo:`). A size names an
entry of `logo.images` (a path or `{path, alt}`) or is a path itself. Without a mode the logo
is shown for each mode the brand has (HTML `.light-content` / `.dark-content`); with one, that
mode's logo, or the other mode's when it has none. The PDF shows the light logo.
"""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath
from typing import Any

from bookbuild.config.project import load_yaml
from bookbuild.errors import BuildError
from bookbuild.source.includes import Origin

BRAND_NAME = "_brand.yml"
SIZES = ("small", "medium", "large")
MODES = ("light", "dark")
Logo = tuple[str, str]  # (path, alt)


def load_brand(root: Path | None, meta: dict[str, Any], where: Origin) -> tuple[Any, str]:
    """The brand data and the prefix its paths take (`/folder/` for a brand file, whose paths
    are relative to it; nothing for front matter, whose paths are the chapter's)."""
    brand = meta.get("brand")
    if brand is not None and not isinstance(brand, str):
        return brand, ""
    name = brand if isinstance(brand, str) else BRAND_NAME
    if root is None or not (root / name).is_file():
        if brand:
            raise BuildError(f"brand shortcode: the brand file '{name}' does not exist", *where)
        raise BuildError(
            f"brand shortcode: no brand (no 'brand:' in the metadata and no {name})", *where
        )
    folder = PurePosixPath(name).parent.as_posix()
    return load_yaml((root / name).read_text("utf-8"), Path(name)), (
        "/" if folder == "." else f"/{folder}/"
    )


def _is_split(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(MODES)


def _has_dark(value: Any) -> bool:
    """Whether a one-brand mapping gives anything a dark variant."""
    if _is_split(value) and "dark" in value:
        return True
    if isinstance(value, dict):
        return any(_has_dark(v) for v in value.values())
    return False


def _entry(logo: dict[str, Any], name: Any, where: Origin) -> Logo:
    """(path, alt) of a size's value: a name of `images`, a path or `{path, alt}`."""
    images = logo.get("images") or {}
    value = images.get(name, name) if isinstance(name, str) and isinstance(images, dict) else name
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return value["path"], str(value.get("alt") or "")
    if isinstance(value, str) and value:
        return value, ""
    raise BuildError(f"brand shortcode: cannot read the logo '{name}'", *where)


def _split_form(brand: dict[str, Any]) -> bool:
    """Whether the brand is written as two brands, `light:` and `dark:`."""
    return any(k in brand for k in MODES) and "logo" not in brand


def _logo(brand: Any, mode: str, size: str, where: Origin) -> Logo | None:
    """The logo of one mode, or None when that mode has none."""
    if not isinstance(brand, dict):
        return None
    if _split_form(brand):
        own = brand.get(mode)
        logo = own.get("logo") if isinstance(own, dict) else None
        value = logo.get(size) if isinstance(logo, dict) else None
    else:
        logo = brand.get("logo")
        value = logo.get(size) if isinstance(logo, dict) else None
        if isinstance(value, dict) and _is_split(value):
            value = value.get(mode)
        elif mode == "dark" and not _has_dark(brand):
            return None
    if value is None or not isinstance(logo, dict):
        return None
    return _entry(logo, value, where)


def brand_logos(brand: Any, args: list[str], where: Origin) -> list[tuple[Logo, str]]:
    """(logo, HTML class) of each image a `brand logo SIZE [MODE]` shortcode shows."""
    usage = "{{< brand logo small|medium|large [light|dark] >}}"
    if not args or args[0] != "logo":
        what = f"unknown brand subcommand '{args[0]}'" if args else "no subcommand"
        raise BuildError(f"brand shortcode: {what} (use {usage})", *where)
    if len(args) not in (2, 3) or args[1] not in SIZES or args[2:] not in ([], ["light"], ["dark"]):
        raise BuildError(f"brand shortcode: use {usage}", *where)
    size = args[1]
    light, dark = (_logo(brand, m, size, where) for m in MODES)
    first = light or dark
    if first is None:
        raise BuildError(f"brand shortcode: the brand has no {size} logo", *where)
    if args[2:] == ["dark"]:
        return [(dark or first, "img-fluid")]
    if args[2:] == ["light"]:
        return [(first, "img-fluid")]
    shown = [(first, "light-content img-fluid")]
    if dark is not None or _dark_mode(brand):
        shown.append((dark or first, "dark-content img-fluid"))
    return shown


def _dark_mode(brand: Any) -> bool:
    """Whether the brand has a dark mode at all."""
    if not isinstance(brand, dict):
        return False
    if _split_form(brand):
        return isinstance(brand.get("dark"), dict)
    return _has_dark(brand)


def img_html(path: str, alt: str, classes: str) -> str:
    """The `<img>` Quarto writes for a logo (a plain relative path as `./path`)."""
    src = path if path.startswith(("/", "./", "../")) or ":" in path else "./" + path
    return f'<img src="{html.escape(src)}" class="{classes}" alt="{html.escape(alt)}">'
