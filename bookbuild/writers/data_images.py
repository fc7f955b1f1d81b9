"""Images written inline as `data:` URIs, set in the PDF from their own bytes.

A browser shows a `data:image/png;base64,...` image as it is, so the HTML edition keeps the
URI; Typst reads files or bytes, so the PDF gets the decoded bytes in the Typst source
(`image(bytes(...), format: "png")`): no file is written anywhere. Quarto's `placeholder`
shortcode makes such images, and so may an author's own Markdown.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree

# The image types of a data URI, with Typst's name for each format.
FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/gif": "gif",
    "image/svg+xml": "svg",
}
_DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<data>.*)$", re.I | re.S)


class DataURIError(ValueError):
    """A data URI the PDF cannot show; the message says why."""


def is_data_uri(src: str) -> bool:
    return src[:5].lower() == "data:"


def decode(src: str) -> tuple[str, bytes]:
    """(Typst's format name, the bytes) of an image's data URI (RFC 2397)."""
    match = _DATA_URI.match(src)
    if match is None:
        raise DataURIError("is not a well-formed data: URI (data:<type>;base64,<data>)")
    mime = match["mime"].strip().lower()
    if mime not in FORMATS:
        shown = mime or "no type"
        raise DataURIError(f"is a data: URI of {shown}: use PNG, JPEG, GIF or SVG")
    params = [p.strip().lower() for p in match["params"].split(";") if p.strip()]
    try:
        data = (
            base64.b64decode(match["data"], validate=False)
            if "base64" in params
            else unquote_to_bytes(match["data"])
        )
    except (binascii.Error, ValueError):
        raise DataURIError("is a data: URI whose base64 data does not decode") from None
    if not data:
        raise DataURIError("is a data: URI with no data")
    fmt = FORMATS[mime]
    if not _readable(fmt, data):
        raise DataURIError(f"is a data: URI whose {fmt.upper()} data is not a readable image")
    return fmt, data


def _readable(fmt: str, data: bytes) -> bool:
    """Whether the bytes are a whole image of their format (Typst's own error would point
    into the generated Typst source)."""
    if fmt == "svg":
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError:
            return False
        return root.tag.rsplit("}", 1)[-1] == "svg"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def typst_source(src: str) -> str:
    """The Typst expression `image(...)` takes for a data URI: its bytes and format. SVG,
    being text, is written as a string; other images as a list of byte values."""
    fmt, data = decode(src)
    if fmt == "svg":
        try:
            payload = json.dumps(data.decode("utf-8"), ensure_ascii=False)
        except UnicodeDecodeError:
            raise DataURIError("is an SVG data: URI that is not UTF-8 text") from None
    else:
        payload = "(" + ", ".join(map(str, data)) + ("," if len(data) == 1 else "") + ")"
    return f'bytes({payload}), format: "{fmt}"'
