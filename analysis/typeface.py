"""The body's typeface for the figures: Libertinus Serif, the very file Typst sets the PDF in.

Figure text is real text (``svg.fonttype: none``) in the body's family, so that the PDF's
figures are searchable and look like the page around them. matplotlib lays the text out with
the font's metrics, so it must read the same font file that Typst draws with. Typst ships
Libertinus Serif inside its wheel (`typst`, pinned in the lock) and no other pip package has
it, so :func:`font_file` reads the Regular face out of the wheel's library (an OpenType file is
self-describing: its table directory gives its length), checks its name table, and keeps one
copy in matplotlib's cache folder, named by its SHA-256.

The HTML edition shows a figure as an ``<img>``, where the page's fonts do not reach, so
:func:`embed_font` puts a subset of the face (only the characters the figure uses, WOFF2) into
the SVG itself: the figure looks the same in the browser, in the PDF and as a download.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import json
import os
import re
import struct
from html import unescape
from pathlib import Path

__all__ = ["FAMILY", "embed_font", "font_bytes", "font_file", "register"]

FAMILY = "Libertinus Serif"
"""The family name of the body text in the PDF (``templates/thesis.typ``) and of figure text."""
_STYLE = "Regular"
_SFNT = re.compile(rb"OTTO\x00[\x01-\x40]")  # CFF-flavoured OpenType: tag, then numTables
_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_TAG = re.compile(r"<[^>]+>")
_DEFS_END = "</defs>"
_INDEX = "libertinus-serif-index.json"  # library (path|size|mtime) -> the face's SHA-256


def _library() -> Path:
    """The compiled library of the `typst` wheel, which holds Typst's embedded fonts."""
    try:
        import typst
    except ImportError:
        raise RuntimeError(
            f"the figure font {FAMILY!r} comes from the 'typst' package, which is not "
            "installed (run `make`)"
        ) from None
    found = sorted(Path(typst.__file__).parent.glob("_typst*"))
    if not found:
        raise RuntimeError(f"no compiled library in {Path(typst.__file__).parent}")
    return found[0]


def _fonts_in(blob: bytes) -> list[bytes]:
    """Every CFF OpenType font embedded in ``blob``, cut to its length from its table
    directory (each table record: tag, checksum, offset, length; offsets from the font's start).
    """
    fonts = []
    for match in _SFNT.finditer(blob):
        start = match.start()
        (count,) = struct.unpack_from(">H", blob, start + 4)
        if start + 12 + 16 * count > len(blob):
            continue
        end = 0
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", blob, start + 12 + 16 * i)
            if not re.fullmatch(rb"[A-Za-z0-9/ ]{4}", tag):
                break
            end = max(end, offset + length)
        else:
            end = (end + 3) // 4 * 4  # tables are padded to 4 bytes, the last one too
            if start + end <= len(blob):
                fonts.append(blob[start : start + end])
    return fonts


def _names(data: bytes) -> tuple[str, str]:
    from fontTools.ttLib import TTFont

    names = TTFont(io.BytesIO(data), lazy=True)["name"]
    return str(names.getDebugName(1)), str(names.getDebugName(2))


@functools.cache
def font_bytes() -> bytes:
    """The Libertinus Serif Regular font file that Typst uses, read from its wheel.

    Finding it means reading the 80 MB library and the name tables of the fonts in it
    (0.3 s, in every kernel that draws a figure), so the face found is kept in matplotlib's
    cache folder (:func:`font_file`) with an index from the library's path, size and
    modification time to the face's SHA-256: a kept face is used only when the library is
    the one it was found in and its bytes hash to that digest.

    Returns
    -------
    bytes
        The OpenType (CFF) file, as Typst's library holds it.

    Examples
    --------
    >>> font_bytes()[:4]
    b'OTTO'
    """
    library = _library()
    kept = _kept_face(library)
    if kept is not None:
        return kept
    for data in _fonts_in(library.read_bytes()):
        try:
            if _names(data) == (FAMILY, _STYLE):
                _keep_face(library, data)
                return data
        except Exception:  # bytes that only look like a font: skip them
            continue
    raise RuntimeError(f"{library} holds no {FAMILY} {_STYLE} font: is the 'typst' wheel intact?")


def _cache_dir() -> Path:
    import matplotlib as mpl

    return Path(mpl.get_cachedir())


def _face_path(digest: str) -> Path:
    return _cache_dir() / f"libertinus-serif-{digest[:16]}.otf"


def _library_key(library: Path) -> str:
    stat = library.stat()
    return f"{library.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _kept_face(library: Path) -> bytes | None:
    """The face found before in this very `library`, if kept intact; else None."""
    try:
        index = json.loads((_cache_dir() / _INDEX).read_text("utf-8"))
        digest = index[_library_key(library)]
        data = _face_path(digest).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data if hashlib.sha256(data).hexdigest() == digest else None


def _keep_face(library: Path, data: bytes) -> None:
    """Keep the face found in `library` and index it (a read-only cache: found again next time)."""
    digest = hashlib.sha256(data).hexdigest()
    with contextlib.suppress(OSError):
        _write_atomic(_face_path(digest), data)
        _write_atomic(
            _cache_dir() / _INDEX,
            json.dumps({_library_key(library): digest}, sort_keys=True).encode("utf-8"),
        )


def _write_atomic(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)


@functools.cache
def font_file() -> Path:
    """A file holding :func:`font_bytes`, in matplotlib's cache folder (written once).

    Returns
    -------
    pathlib.Path
        The font file, named by the first 16 hex digits of its SHA-256.

    Examples
    --------
    >>> font_file().read_bytes() == font_bytes()
    True
    """
    data = font_bytes()
    path = _face_path(hashlib.sha256(data).hexdigest())
    _write_atomic(path, data)
    return path


@functools.cache
def register() -> str:
    """Make the face known to matplotlib (once per process).

    Returns
    -------
    str
        The family name to set in ``font.family`` (:data:`FAMILY`).

    Examples
    --------
    >>> register()
    'Libertinus Serif'
    """
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_file()))
    return FAMILY


def _characters(svg: str) -> str:
    """The characters of every ``<text>`` element of a matplotlib SVG."""
    return "".join(unescape(_TAG.sub("", body)) for body in _TEXT.findall(svg))


def _subset(text: str) -> bytes:
    """WOFF2 of the face holding only the glyphs ``text`` needs (deterministic bytes).

    Subsetting takes 0.2-0.3 s a figure, and a rebuild asks for the same subsets again, so
    each is kept in matplotlib's cache folder beside :func:`font_file`, named by the SHA-256
    of what decides its bytes (the face, the characters, fontTools' version) and stored with
    its own SHA-256: a file that does not match is made again, never used."""
    import fontTools
    import matplotlib as mpl

    key = hashlib.sha256(
        b"\0".join([font_bytes(), text.encode("utf-8"), fontTools.version.encode()])
    ).hexdigest()
    path = Path(mpl.get_cachedir()) / "libertinus-subsets" / f"{key[:32]}.woff2"
    try:
        stored = path.read_bytes()
        if hashlib.sha256(stored[64:]).hexdigest().encode() == stored[:64]:
            return stored[64:]
    except OSError:
        pass
    data = _make_subset(text)
    with contextlib.suppress(OSError):  # a read-only cache: made again next time
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(hashlib.sha256(data).hexdigest().encode() + data)
        partial.replace(path)
    return data


def _make_subset(text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # lazy: tables are read when the subsetter asks (the same bytes out, a fifth less time)
    font = TTFont(io.BytesIO(font_bytes()), recalcTimestamp=False, lazy=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "lnum", "pnum"]
    options.name_IDs = ["*"]  # keep the licence (OFL) and the family name with the font
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text or " ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def embed_font(svg: str) -> str:
    """``svg`` with an ``@font-face`` for :data:`FAMILY` in its ``<defs>``: a WOFF2 subset of
    exactly the characters its text uses, so that it shows in the face it was laid out in
    wherever it is opened. An SVG without text is returned unchanged.

    Parameters
    ----------
    svg : str
        A matplotlib SVG with ``svg.fonttype: none`` (its text as ``<text>`` elements).

    Returns
    -------
    str
        The same SVG with the subset font in a ``<style>`` of its ``<defs>``.

    Examples
    --------
    >>> plain = '<svg xmlns="http://www.w3.org/2000/svg"><defs></defs><text>Ab</text></svg>'
    >>> "@font-face" in embed_font(plain), embed_font("<svg></svg>") == "<svg></svg>"
    (True, True)
    """
    text = _characters(svg)
    if not text:
        return svg
    data = base64.b64encode(_subset("".join(sorted(set(text))))).decode("ascii")
    style = (
        '<style type="text/css">@font-face{font-family:"'
        + FAMILY
        + '";src:url(data:font/woff2;base64,'
        + data
        + ') format("woff2");}</style>'
    )
    if _DEFS_END in svg:
        return svg.replace(_DEFS_END, style + _DEFS_END, 1)
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m[1] + "<defs>" + style + "</defs>", svg, count=1)
