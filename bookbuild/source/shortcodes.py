"""Quarto's built-in shortcodes, resolved in a chapter's markdown before anything else reads it.

`{{< meta key >}}` (the chapter's front matter over `_quarto.yml`'s metadata, `book.title`
included; dotted keys reach into mappings, `\\.` is a literal dot), `{{< var key >}}` (from
`_variables.yml`), `{{< env NAME [default] >}}`, `{{< pagebreak >}}` (a page break in both
editions; on a line of its own) and `{{< kbd keys [win=…] [mac=…] [linux=…] [mode=plain] >}}` and
`{{< brand logo SIZE [light|dark] >}}` (see `bookbuild.source.brand`) and `{{< placeholder
[W [H]] >}}` (see `bookbuild.source.placeholder`: an image in prose, its URI in a link target
or attribute, as Quarto's "text" context).

Where Quarto resolves them, so does this: in prose a value is markdown (`meta`, `var`) or
literal text (`env`); in code spans, non-executed code blocks and raw blocks a known shortcode
becomes its plain text and an unknown one is left as written. Code cells are the engine's and
left alone, as is a code block with `shortcodes="false"`. `{{{< … >}}}` is written literally as
`{{< … >}}` everywhere. An unknown shortcode in prose, an unknown key or a value that is not a
single value is an error naming the line it came from (through includes).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bookbuild.config.project import CONFIG_NAME, load_yaml
from bookbuild.errors import BuildError
from bookbuild.source.brand import brand_logos, img_html, load_brand
from bookbuild.source.fences import FENCE as _FENCE
from bookbuild.source.fences import cell_engine
from bookbuild.source.includes import Origin, Source, resolve_path
from bookbuild.source.markdown_text import escape
from bookbuild.source.placeholder import placeholder_uri

VARIABLES_NAME = "_variables.yml"
KNOWN = ("meta", "var", "env", "pagebreak", "kbd", "include", "brand", "placeholder")
# Quarto's other built-in shortcodes, which this build does not render.
UNSUPPORTED = ("video", "embed", "lipsum", "contents", "version")

_TOKEN = re.compile(
    r"(?P<code>(?<!`)(?P<ticks>`+)(?!`)(?P<content>.*?[^`])(?P=ticks)(?!`))"
    r"|\{\{\{<(?P<escaped>.*?)>\}\}\}"
    r"|\{\{<(?P<body>.*?)>\}\}"
)
_SHORTCODE = re.compile(r"\{\{\{<(?P<escaped>.*?)>\}\}\}|\{\{<(?P<body>.*?)>\}\}")
_ARG = re.compile(
    r"""\s*(?:(?P<key>[A-Za-z_][\w-]*)=)?"""
    r"""(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
)
_INLINE_ENGINE = re.compile(r"^\{[A-Za-z0-9_+-]+\}\s")
_PAGEBREAK = re.compile(r"^(?P<indent>\s*)\{\{<\s*pagebreak\s*>\}\}\s*$")
_OS_NAMES = {"win": "windows", "mac": "mac", "linux": "linux"}


@dataclass(frozen=True)
class Context:
    """What the shortcodes of one chapter can read."""

    meta: dict[str, Any]
    variables: dict[str, Any] | None  # None when the project has no _variables.yml
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    root: Path | None = None  # the project root, where `_brand.yml` is found
    chapter: Path | None = None  # the chapter, relative to the root


@dataclass(frozen=True)
class Shortcode:
    name: str
    args: list[str]
    kwargs: dict[str, str]


def load_context(root: Path, front_matter: dict[str, Any], chapter: Path | None = None) -> Context:
    """The metadata a chapter sees (its front matter over `_quarto.yml`) and the variables."""
    config = load_yaml((root / CONFIG_NAME).read_text("utf-8"), Path(CONFIG_NAME)) or {}
    meta: dict[str, Any] = {k: v for k, v in config.items() if k not in ("project", "format")}
    meta.update(front_matter)
    variables = None
    if (root / VARIABLES_NAME).is_file():
        loaded = load_yaml((root / VARIABLES_NAME).read_text("utf-8"), Path(VARIABLES_NAME))
        if loaded is not None and not isinstance(loaded, dict):
            raise BuildError("must be a mapping of variables", Path(VARIABLES_NAME), 1)
        variables = loaded or {}
    return Context(meta, variables, root=root, chapter=chapter)


def parse_shortcode(body: str, where: Origin) -> Shortcode:
    """Name, positional and keyword arguments of the text between `{{<` and `>}}`."""
    args: list[str] = []
    kwargs: dict[str, str] = {}
    position = 0
    body = body.strip()
    while position < len(body):
        match = _ARG.match(body, position)
        if match is None:
            raise BuildError(f"cannot read the shortcode '{{{{< {body} >}}}}'", *where)
        value = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
        if match["dq"] is not None:
            value = re.sub(r"\\(.)", r"\1", value)
        if match["key"]:
            kwargs[match["key"]] = value
        else:
            args.append(value)
        position = match.end()
        while position < len(body) and body[position].isspace():
            position += 1
    if not args:
        raise BuildError("empty shortcode '{{< >}}'", *where)
    return Shortcode(args[0], args[1:], kwargs)


def _lookup(data: Mapping[str, Any], key: str, what: str, where: Origin) -> Any:
    """A dotted key's value (`a.b`, `a\\.b` for a key with a dot); errors name the key."""
    escaped = key.replace("\\\\.", "\x01").replace("\\.", "\x01")  # `\.` or `\\.`
    parts = [p.replace("\x01", ".") for p in escaped.split(".")]
    value: Any = data
    for depth, part in enumerate(parts):
        if isinstance(value, list) and part.isdigit() and 0 < int(part) <= len(value):
            value = value[int(part) - 1]  # Quarto counts list items from 1
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            known = ", ".join(sorted(map(str, value))) if isinstance(value, dict) else ""
            reached = ".".join(parts[:depth]) or what
            hint = f" ({reached} has: {known})" if known and len(known) < 200 else ""
            raise BuildError(f"{what} shortcode: no key '{key}'{hint}", *where)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, (dict, list)):
        kind = "mapping" if isinstance(value, dict) else "list"
        raise BuildError(
            f"{what} shortcode: '{key}' is a {kind}; it can only print a single "
            "value (name one of its keys with a dot)",
            *where,
        )
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _one_arg(code: Shortcode, where: Origin) -> str:
    if len(code.args) != 1 or code.kwargs:
        raise BuildError(
            f"{code.name} shortcode takes one key: {{{{< {code.name} key >}}}}", *where
        )
    return code.args[0].strip("'\"")


def _kbd_parts(code: Shortcode, where: Origin) -> tuple[str, dict[str, str], bool]:
    """(default keys, keys per operating system, plain mode) of a kbd shortcode."""
    kwargs = dict(code.kwargs)
    mode = kwargs.pop("mode", "")
    if mode not in ("", "plain"):
        raise BuildError(f"kbd shortcode: unknown mode '{mode}' (the only mode is plain)", *where)
    unknown = [k for k in kwargs if k not in _OS_NAMES]
    if unknown:
        raise BuildError(
            f"kbd shortcode: unknown operating system '{unknown[0]}' (use win, mac or linux)",
            *where,
        )
    if len(code.args) > 1 or (not code.args and not kwargs):
        raise BuildError("kbd shortcode takes one key combination, and win=, mac=, linux=", *where)
    if mode == "plain" and (kwargs or not code.args):
        raise BuildError("kbd shortcode: mode=plain takes one key combination only", *where)
    return (code.args[0] if code.args else ""), kwargs, mode == "plain"


def _kbd_text(default: str, systems: dict[str, str]) -> list[tuple[str, bool]]:
    """The kbd shortcode as Quarto writes it outside HTML: (text, is code) pieces."""
    if default:
        pieces = [(default, True)]
        if systems:
            pieces.append((" (", False))
            for index, (key, keys) in enumerate(systems.items()):
                pieces += [
                    ("; " if index else "", False),
                    (f"{_OS_NAMES[key]}: ", False),
                    (keys, True),
                ]
            pieces.append((")", False))
        return [p for p in pieces if p[0]]
    pieces = []
    for index, (key, keys) in enumerate(systems.items()):
        pieces += [(", " if index else "", False), (keys, True), (f" ({_OS_NAMES[key]})", False)]
    return [p for p in pieces if p[0]]


def _raw_inline(text: str, fmt: str) -> str:
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}{{={fmt}}}"


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _kbd_markdown(code: Shortcode, where: Origin) -> str:
    default, systems, plain = _kbd_parts(code, where)
    if plain:
        markup = f'<kbd data-mode="plain" class="kbd">{html.escape(default)}</kbd>'
    else:
        titles = sorted(
            [f"{_OS_NAMES[k]}: {v}" for k, v in systems.items()] + ([default] if default else [])
        )
        data = "".join(
            f' data-{_OS_NAMES[k]}="{html.escape(v)}"'
            for k, v in sorted(systems.items(), key=lambda kv: _OS_NAMES[kv[0]])
        )
        # without a default, Quarto's script picks the reader's system; here all are shown
        shown = default or "".join(t for t, _ in _kbd_text("", systems))
        markup = f'<kbd title="{html.escape(", ".join(titles))}"{data}>{html.escape(shown)}</kbd>'
    pieces = [(default, True)] if plain else _kbd_text(default, systems)
    # each expression ends with ';' so that text right after the shortcode cannot extend it
    typst = "".join(
        f"#raw({_typst_string(t)});" if is_code else f"#{_typst_string(t)};"
        for t, is_code in pieces
    )
    return _raw_inline(markup, "html") + _raw_inline(typst, "typst")


class Resolver:
    """Resolves the shortcodes of one chapter against its `Context`."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def value(self, code: Shortcode, where: Origin) -> str:
        """The plain text of a `meta`, `var` or `env` shortcode."""
        if code.name == "meta":
            key = _one_arg(code, where)
            if key == "title" and "title" not in self.context.meta:
                raise BuildError(
                    "meta shortcode: in a book chapter Quarto's 'title' is the "
                    "chapter's numbered heading, which this build does not print; "
                    "use {{< meta book.title >}} for the book's title",
                    *where,
                )
            return _lookup(self.context.meta, key, "meta", where)
        if code.name == "var":
            if self.context.variables is None:
                raise BuildError(f"var shortcode: the project has no {VARIABLES_NAME}", *where)
            return _lookup(self.context.variables, _one_arg(code, where), "var", where)
        if not code.args or len(code.args) > 2 or code.kwargs:
            raise BuildError(
                "env shortcode takes a variable name and an optional default: "
                "{{< env NAME default >}}",
                *where,
            )
        value = self.context.env.get(code.args[0])
        if value is None and len(code.args) < 2:
            raise BuildError(
                f"env shortcode: environment variable '{code.args[0]}' is not "
                "set (give a default: {{< env NAME default >}})",
                *where,
            )
        return value if value is not None else code.args[1]

    def prose(
        self, code: Shortcode, where: Origin, block: bool = False, in_target: bool = False
    ) -> str:
        """Markdown for a shortcode in running text (`block`: alone on its line, where a
        value of several paragraphs stays several paragraphs; `in_target`: written where a
        URL or attribute value goes, `(…` or `="…`)."""
        if code.name == "placeholder":
            uri = placeholder_uri(code.args, code.kwargs, where)
            return uri if in_target else f"![]({uri})"
        if code.name in ("meta", "var"):
            value = self.value(code, where)
            return value.strip("\n") if block else " ".join(value.split())
        if code.name == "env":
            return escape(self.value(code, where))
        if code.name == "kbd":
            return _kbd_markdown(code, where)
        if code.name == "brand":
            return self._brand_markdown(code, where)
        if code.name == "pagebreak":
            raise BuildError("pagebreak shortcode must stand on a line of its own", *where)
        if code.name == "include":
            raise BuildError(
                "include shortcode must stand on a line of its own, between blank lines", *where
            )
        if code.name in UNSUPPORTED:
            raise BuildError(
                f"shortcode '{code.name}' is a Quarto shortcode this build does "
                f"not render (it renders: {', '.join(KNOWN)})",
                *where,
            )
        raise BuildError(
            f"unknown shortcode '{code.name}': not one of Quarto's (shortcode "
            f"extensions are not supported; this build renders: "
            f"{', '.join(KNOWN)})",
            *where,
        )

    def _brand_markdown(self, code: Shortcode, where: Origin) -> str:
        """Raw HTML `<img>`s (one per mode) and the light logo as a Typst image."""
        if code.kwargs:
            raise BuildError("brand shortcode takes no key=value arguments", *where)
        brand, prefix = load_brand(self.context.root, self.context.meta, where)
        shown = brand_logos(brand, code.args, where)
        markup = "".join(img_html(prefix + path, alt, cls) for (path, alt), cls in shown)
        (path, alt), _ = shown[0]
        if self.context.root is not None and self.context.chapter is not None:
            path = resolve_path(
                self.context.root, self.context.chapter, prefix + path, where, "image"
            ).as_posix()
        image = f"image({_typst_string(path)}, alt: {_typst_string(alt)})"
        # a logo without alt text is decorative: PDF/UA takes it as an artifact, as
        # `alt=""` in HTML (an image without alt text is an error to PDF/UA)
        typst = f"#box({image});" if alt else f"#pdf.artifact(box({image}));"
        return markup + _raw_inline(typst, "typst")  # Pandoc reads the <img> as raw HTML

    def text(self, code: Shortcode, where: Origin) -> str | None:
        """Plain text for a shortcode inside code; None leaves it as written (as Quarto)."""
        if code.name in ("meta", "var", "env"):
            return self.value(code, where).rstrip("\n")
        if code.name == "kbd":
            default, systems, plain = _kbd_parts(code, where)
            return default if plain else "".join(t for t, _ in _kbd_text(default, systems))
        if code.name == "pagebreak":
            return ""
        if code.name == "placeholder":
            return placeholder_uri(code.args, code.kwargs, where)
        return None


def _in_code(text: str, resolver: Resolver, where: Origin) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"] is not None:
            return "{{<" + match["escaped"] + ">}}"
        try:
            code = parse_shortcode(match["body"], where)
        except BuildError:
            return match[0]
        value = resolver.text(code, where)
        return match[0] if value is None else value

    return _SHORTCODE.sub(replace, text)


def resolve_raw(text: str, context: Context, where: Origin) -> str:
    """`text` with its shortcodes resolved as in a raw block or code (page includes)."""
    return _in_code(text, Resolver(context), where)


def _in_prose(text: str, resolver: Resolver, where: Origin) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["code"] is not None:
            if _INLINE_ENGINE.match(match["content"]):  # inline code of an engine
                return match[0]
            return match["ticks"] + _in_code(match["content"], resolver, where) + match["ticks"]
        if match["escaped"] is not None:
            return escape("{{<" + match["escaped"] + ">}}")
        block = match[0] == text.strip()
        in_target = text[: match.start()].rstrip(" ").endswith(("(", "=", '"', "'", "<"))
        return resolver.prose(parse_shortcode(match["body"], where), where, block, in_target)

    return _TOKEN.sub(replace, text)


_PAGEBREAK_BLOCK = (
    "",
    "```{=html}",
    '<div style="page-break-after: always;"></div>',
    "```",
    "",
    "```{=typst}",
    "#pagebreak()",
    "```",
    "",
)


def expand_shortcodes(source: Source, context: Context, front_lines: int = 0) -> Source:
    """`source` with its shortcodes resolved, line origins kept (front matter left alone)."""
    if "{{<" not in source.text:
        return source
    resolver = Resolver(context)
    out: list[str] = []
    origins: list[Origin] = []
    fence: str | None = None
    fence_kind = ""  # "cell", "off" (shortcodes="false") or "code"
    comment = False  # inside an HTML comment, where shortcodes are left as written
    lines = source.text.splitlines(keepends=True)
    index = -1
    while index + 1 < len(lines):
        index += 1
        line, where = lines[index], source.origins[index]
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        match = _FENCE.match(body)
        if index < front_lines or (match and fence is None and not comment):
            pass
        elif "{{<" not in line:
            if fence is None:
                comment = _comment_parts(body, comment)[1]
        elif fence is not None:
            if fence_kind == "code" and not (match and not match["info"]):
                body = _in_code(body, resolver, where)
        else:
            pagebreak = None if comment else _PAGEBREAK.match(body)
            if pagebreak:
                for piece in _PAGEBREAK_BLOCK:
                    out.append(pagebreak["indent"] + piece + "\n" if piece else "\n")
                    origins.append(where)
                continue
            while _unclosed(body) and index + 1 < len(lines) and lines[index + 1].strip():
                index += 1  # a shortcode continued on the next line, as Quarto allows
                body += " " + lines[index].strip()
                ending = lines[index][len(lines[index].rstrip("\r\n")) :]
            parts, comment = _comment_parts(body, comment)
            body = "".join(
                text if hidden else _in_prose(text, resolver, where) for text, hidden in parts
            )
        if match and index >= front_lines and not comment:
            mark, info = match["fence"], match["info"]
            if fence is None:
                fence = mark
                fence_kind = _fence_kind(info)
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not info:
                fence = None
        pieces = (body + ending).splitlines(keepends=True) or [""]
        out.extend(pieces)  # a value of several lines: each line has the shortcode's origin
        origins.extend([where] * len(pieces))
    return Source("".join(out), tuple(origins))


def _comment_parts(text: str, inside: bool) -> tuple[list[tuple[str, bool]], bool]:
    """`text` cut into (piece, inside an HTML comment), and whether a comment is still open."""
    parts: list[tuple[str, bool]] = []
    position = 0
    while position < len(text):
        mark = text.find("-->" if inside else "<!--", position)
        if mark < 0:
            parts.append((text[position:], inside))
            break
        end = mark + 3 if inside else mark
        if end > position:
            parts.append((text[position:end], inside))
        position, inside = end, not inside
        if inside:  # skip the opening mark so "<!-->" is not read as closing at once
            parts.append((text[position : position + 4], True))
            position += 4
    return parts, inside


def _unclosed(text: str) -> bool:
    """Whether the last `{{<` of `text` has no `>}}` after it."""
    return text.rfind("{{<") > text.rfind(">}}")


def _fence_kind(info: str) -> str:
    if cell_engine(info):
        return "cell"
    if re.search(r"""shortcodes\s*=\s*["']?false""", info):
        return "off"
    return "code"


__all__ = ["Context", "Resolver", "expand_shortcodes", "load_context", "parse_shortcode"]
