"""Number chapters, sections, figures, tables and equations; resolve `@label` references.

Numbers are computed once here and written into the AST as text, so the HTML edition and the
PDF show exactly the same "Figure 3.2". Unknown labels and unknown citation keys are errors
naming the chapter file and line, never "??".
"""

from __future__ import annotations

import copy
import json
import logging
import re
import string
from pathlib import Path
from typing import Any

import yaml

from bookbuild.config import language, registry
from bookbuild.document.ast import (
    Div,
    Link,
    Node,
    Space,
    Span,
    Str,
    attr_of,
    elements,
    ids_in,
    map_inlines,
    stringify,
    walk,
)
from bookbuild.document.callouts import (
    TITLE_DEFAULT,
    TITLE_PREFIX,
    callout_kind,
    check_callouts,
)
from bookbuild.document.chapter import Chapter, Target
from bookbuild.document.code import code_filenames
from bookbuild.document.code_annotations import annotate
from bookbuild.document.conditional import check_conditionals, resolve_meta
from bookbuild.document.custom_kinds import custom_floats, custom_keys, custom_kinds, float_kind
from bookbuild.document.escaped_cells import unescape
from bookbuild.document.kinds import BY_PREFIX, CALLOUT_PREFIXES, Kind, kind_of
from bookbuild.document.layout import (
    SUBFIGURE,
    TABLE_PANEL,
    caption_inlines,
    check_columns,
    labelled_images,
    prepare_figures,
)
from bookbuild.document.list_tables import list_tables
from bookbuild.document.table_options import table_colwidths
from bookbuild.document.tabsets import prepare_tabsets
from bookbuild.document.theorems import prepare_theorems, title_theorem
from bookbuild.document.titles import place_title
from bookbuild.errors import BuildError, line_holding, relative

log = logging.getLogger("bookbuild")

KINDS = {kind.prefix: kind.name for kind in BY_PREFIX.values()}  # prefix -> name
# `crossref:` options this build honours: per kind `<prefix>-title`, `<prefix>-prefix` and
# `<prefix>-labels`, and `labels`, `subref-labels`, `title-delim`, `ref-hyperlink`, `chapters`.
KIND_WORDS = ("title", "prefix", "labels")
KIND_OPTIONS = frozenset(f"{p}-{what}" for p in KINDS for what in KIND_WORDS)
BOOK_OPTIONS = frozenset(registry.at(registry.CROSSREF))  # labels, chapters, custom, ...
CROSSREF_OPTIONS = KIND_OPTIONS | BOOK_OPTIONS
_EQ_ATTRS = re.compile(r"^\s*\{#(eq-[\w-]+)((?:\s[^}]*)?)\}$")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))""")
_BIB_KEY = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")


def _ref_line(source: str, key: str) -> int | None:
    """Line of the first `@key` that is exactly this key (not `@key2`, not `a@key.org`)."""
    pattern = re.compile(rf"(?<![\w@]){re.escape('@' + key)}(?![\w-]|[.:]\w)")
    return next((n for n, line in enumerate(source.splitlines(), 1) if pattern.search(line)), None)


def _definition_lines(source: str, label: str) -> list[int]:
    """Lines where `label` is defined (`{#label}` or `#| label: label`)."""
    pattern = re.compile(rf"(#|label:\s*['\"]?){re.escape(label)}(?![\w-])")
    return [n for n, line in enumerate(source.splitlines(), 1) if pattern.search(line)]


def _definition_line(source: str, label: str) -> int | None:
    """Line of the last place `label` is defined."""
    found = _definition_lines(source, label)
    return found[-1] if found else None


def bibliography_keys(paths: list[Path], root: Path | None = None) -> set[str]:
    """The citation keys of BibTeX/BibLaTeX files and of CSL JSON or YAML files (`.json`,
    `.yaml`, `.yml`: each item's `id`); errors name a file relative to `root`."""
    keys: set[str] = set()
    for path in paths:
        text = path.read_text("utf-8")
        if path.suffix.lower() in (".json", ".yaml", ".yml"):
            keys.update(_csl_ids(text, relative(path, root) if root else path))
        else:
            keys.update(_BIB_KEY.findall(text))
    return keys


def _csl_ids(text: str, path: Path) -> list[str]:
    """The `id`s of a CSL JSON list, or of a CSL YAML list or `references:` mapping."""
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise BuildError(f"not CSL JSON: {exc.msg}", path, exc.lineno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BuildError("not CSL YAML", path, mark.line + 1 if mark else None) from None
    if isinstance(data, dict):
        data = data.get("references")
    items = data if isinstance(data, list) else []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


def _number_span(text: str, cls: str) -> Node:
    return Span("", [cls], [Str(text)])


def _roman(number: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        out += letters * count
    return out


def _scheme_ok(scheme: str) -> bool:
    words = scheme.split(" ")
    if scheme in ("arabic", "roman", "roman i"):
        return True
    return len(words) == 2 and words[0] == "alpha" and len(words[1]) == 1


def format_label(scheme: str, number: int) -> str:
    """Item `number` (from 1) in one of Quarto's numbering schemes: arabic (3), roman (III),
    roman i (iii), alpha x (letters from x: alpha a gives c)."""
    if scheme == "arabic":
        return str(number)
    if scheme == "roman":
        return _roman(number)
    if scheme == "roman i":
        return _roman(number).lower()
    return chr(ord(scheme.split(" ")[1]) + number - 1)


class Names:
    """What each kind is called and how it is numbered, from the book's `crossref:` options
    (and a chapter's own, over them): in captions and block titles (`<prefix>-title`), in
    references (`<prefix>-prefix`), the numbering scheme (`labels`, `<prefix>-labels`,
    `subref-labels`), the caption delimiter (`title-delim`) and whether references are links
    (`ref-hyperlink`)."""

    def __init__(
        self,
        options: dict[str, Any] | None = None,
        config: Path | None = None,
        text: str | None = None,
        inherited: tuple[Kind, ...] = (),
    ) -> None:
        options = options or {}
        if not isinstance(options, dict):
            raise BuildError("crossref: must be a mapping of options", config)

        def line(key: str) -> int | None:
            return line_holding(text, f"{key}:") if text is not None else _config_line(config, key)

        source = text if text is not None else _config_text(config)
        self.custom = {
            k.prefix: k for k in custom_kinds(options.get("custom"), config, source, inherited)
        }
        known = CROSSREF_OPTIONS | {f"{p}-{what}" for p in self.custom for what in KIND_WORDS}
        for key, value in options.items():
            if key == "custom":
                continue
            if key not in known:
                raise BuildError(
                    f"crossref option '{key}' is not supported by this build (supported: "
                    "<kind>-title, <kind>-prefix, <kind>-labels, e.g. fig-prefix; "
                    + ", ".join(sorted(BOOK_OPTIONS))
                    + ")",
                    config,
                    line(key),
                )
            if key in ("ref-hyperlink", "chapters"):
                if not isinstance(value, bool):
                    raise BuildError(
                        f"crossref option '{key}' must be true or false; got {value!r}",
                        config,
                        line(key),
                    )
                if key == "chapters" and not value:
                    raise BuildError(
                        "crossref option 'chapters: false' is not supported by this build: a "
                        "book numbers its figures, tables and other items by chapter (1.2)",
                        config,
                        line(key),
                    )
            elif not isinstance(value, str):
                raise BuildError(f"crossref option '{key}' must be text", config, line(key))
            elif key.endswith("labels") and not _scheme_ok(value):
                raise BuildError(
                    f"crossref option '{key}' must be one of: arabic, roman, roman i, "
                    f"alpha <letter> (e.g. alpha a, alpha A); got {value!r}",
                    config,
                    line(key),
                )
        self.options = options
        self.chapter_word, self.appendix_word = "Chapter", "Appendix"

    def worded(self, words: dict[str, str]) -> Names:
        """These names over the `language:` words (`crossref-fig-title: Abb.`): a kind's
        title or prefix from `crossref:` wins, as in Quarto."""
        given: dict[str, str] = {}
        for key, word in words.items():
            found = language.CROSSREF_WORD.fullmatch(key)
            if found and self.kind(found[1]) is not None:
                given[f"{found[1]}-{found[2]}"] = word
        chapter = words.get("crossref-ch-prefix", self.chapter_word)
        appendix = words.get("crossref-apx-prefix", self.appendix_word)
        if not given and (chapter, appendix) == (self.chapter_word, self.appendix_word):
            return self
        names = copy.copy(self)
        names.options = {**given, **self.options}
        names.chapter_word, names.appendix_word = chapter, appendix
        return names

    def kind(self, prefix: str) -> Kind | None:
        """The built-in or custom kind of label prefix `prefix`."""
        return self.custom.get(prefix) or BY_PREFIX.get(prefix)

    def title(self, kind: Kind) -> str:
        return self.options.get(f"{kind.prefix}-title", kind.name)

    def prefix(self, kind: Kind) -> str:
        return self.options.get(f"{kind.prefix}-prefix", kind.reference)

    def ref(self, kind: Kind, number: str) -> str:
        """What a reference to item `number` shows: "Figure 1.2" ("Table S1.2" for a custom
        kind with `space-before-numbering: false`)."""
        return f"{self.prefix(kind)}{_space(kind)}{number}"

    def label(self, prefix: str, number: int) -> str:
        """Item `number` of kind `prefix` in its numbering scheme."""
        scheme = self.options.get(f"{prefix}-labels", self.options.get("labels")) or "arabic"
        return format_label(str(scheme), number)

    def subref(self, number: int) -> str:
        """Sub-item `number` (subfigure) in the `subref-labels` scheme: "a", "ii"."""
        return format_label(self.options.get("subref-labels", "alpha a"), number)

    def caption(self, kind: Kind, number: str) -> str:
        """A float's caption title: "Figure 1.2:" (`title-delim` in place of the colon)."""
        delim = self.options.get("title-delim", ":")
        return f"{self.title(kind)}{_space(kind)}{number}{delim}"

    @property
    def hyperlinks(self) -> bool:
        return bool(self.options.get("ref-hyperlink", True))

    def over(self, local: Any, path: Path, text: str) -> Names:
        """These names with a chapter's own `crossref:` front matter over them."""
        if local is None or local == self.options:
            return self
        if not isinstance(local, dict):
            raise BuildError(
                "crossref: must be a mapping of options", path, line_holding(text, "crossref:")
            )
        book = {k: v for k, v in self.options.items() if k != "custom"}  # already read
        return Names({**book, **local}, path, text, tuple(self.custom.values()))


def _space(kind: Kind) -> str:
    """Between a kind's name and an item's number: a no-break space, or none."""
    return "\u00a0" if kind.space else ""


def _next(
    counts: dict[str, int], chapter_prefix: str, kind: str, names: Names | None = None
) -> str:
    """The next number of `kind` in the chapter: "3.2" (chapter prefix "3."), the item's part
    in the kind's numbering scheme (`crossref: labels`)."""
    counts[kind] = counts.get(kind, 0) + 1
    item = names.label(kind, counts[kind]) if names else str(counts[kind])
    return f"{chapter_prefix}{item}"


def _config_text(config: Path | None) -> str | None:
    return config.read_text("utf-8") if config is not None and config.is_file() else None


def _config_line(config: Path | None, key: str) -> int | None:
    text = _config_text(config)
    return None if text is None else line_holding(text, f"{key}:")


def number_book(
    chapters: list[Chapter], options: dict[str, Any] | None = None, config: Path | None = None
) -> dict[str, Target]:
    """Assign numbers in reading order and return every label's target.

    `options`: the book's `crossref:` mapping (`config`: the file it came from, for errors).
    """
    book_names = Names(options, config)
    targets: dict[str, Target] = {}
    defined_in: dict[str, Chapter] = {}
    main_count = 0
    appendix_count = 0

    def register(label: str, target: Target, chapter: Chapter) -> None:
        if label in targets:
            first = defined_in[label]
            if first is chapter:
                lines = _definition_lines(chapter.source, label)
                where = f"line {lines[0]}" if len(lines) > 1 else "this file"
            else:
                line = _definition_line(first.source, label)
                where = f"{first.path.name}:{line}" if line else first.path.name
            raise BuildError(
                f"label '{label}' is defined twice (also at {where}): give each its own label",
                chapter.path,
                _definition_line(chapter.source, label),
            )
        targets[label] = target
        defined_in[label] = chapter

    for chapter in chapters:
        names = book_names.over(chapter.meta.get("crossref"), chapter.path, chapter.source)
        root = config.parent if config is not None else None
        chapter.words = language.chapter_words(root, chapter.meta, chapter.path)
        names = names.worded(chapter.words)
        chapter.blocks = resolve_meta(chapter.blocks, chapter.meta)
        chapter.blocks = annotate(chapter.blocks, chapter.meta.get("code-annotations", "below"))
        labelled_images(chapter.blocks, chapter.path, chapter.source)
        nodes = elements(chapter.blocks)  # one walk for the block features' passes
        list_tables(nodes, chapter.path, chapter.source)
        table_colwidths(nodes, chapter.path, chapter.source)
        custom_floats(nodes, names.custom)
        prepare_figures(nodes, chapter.path, chapter.source)
        check_columns(nodes, chapter.path, chapter.source)
        first = place_title(chapter)
        numbered = "unnumbered" not in first["c"][1][1]
        if numbered and chapter.appendix:
            chapter.number = string.ascii_uppercase[appendix_count]
            appendix_count += 1
        elif numbered:
            main_count += 1
            chapter.number = str(main_count)
        prepare_tabsets(nodes, chapter.path, chapter.source)
        check_callouts(nodes, chapter.path, chapter.source)
        _callout_titles(nodes, chapter.words)
        prepare_theorems(nodes, chapter.words)
        check_conditionals(nodes, chapter.path, chapter.source)
        code_filenames(nodes)
        unescape(chapter.blocks, chapter.source)
        chapter.title = stringify(first["c"][2])
        chapter.title_id = first["c"][1][0]
        counters = [0, 0, 0, 0, 0, 0]
        counts: dict[str, int] = {}  # per kind, within the chapter
        prefix = f"{chapter.number}." if chapter.number else ""
        for node in walk(chapter.blocks):
            kind = node["t"]
            if kind == "Header":
                level, attr, inlines = node["c"]
                ident, classes = attr[0], attr[1]
                if level == 1:
                    if node is not first and "unnumbered" not in classes:
                        _second_chapter_heading(chapter, inlines)
                    number = chapter.number if node is first else None
                else:
                    number = None
                    if chapter.number and "unnumbered" not in classes:
                        counters[level - 1] += 1
                        for deeper in range(level, len(counters)):
                            counters[deeper] = 0
                        number = chapter.number + "".join(
                            f".{counters[i]}" for i in range(1, level)
                        )
                title = stringify(inlines)
                if number:
                    node["c"][2] = [
                        _number_span(number, "header-section-number"),
                        Space(),
                        *inlines,
                    ]
                chapter.sections.append((level, ident, number or "", title))
                if ident:
                    if level == 1 and number:
                        word = names.appendix_word if chapter.appendix else names.chapter_word
                        text = f"{word}\u00a0{number}"
                    else:
                        text = (
                            f"{names.prefix(BY_PREFIX['sec'])}\u00a0{number}" if number else title
                        )
                    register(ident, Target("sec", number or "", chapter.page, text), chapter)
            elif kind == "Figure" and TABLE_PANEL not in node["c"][0][1]:
                ident = node["c"][0][0]
                custom = float_kind(node)
                if custom:
                    kind = names.custom[custom[0]]
                elif ident.startswith("fig-"):
                    kind = BY_PREFIX["fig"]
                if (custom or ident.startswith("fig-")) and SUBFIGURE not in node["c"][0][1]:
                    number = _next(counts, prefix, kind.prefix, names)
                    _caption_prefix(node["c"][1], names.caption(kind, number))
                    _image_alt(node)
                    register(
                        ident,
                        Target(kind.prefix, number, chapter.page, names.ref(kind, number)),
                        chapter,
                    )
                    subs = _subfloats(node)
                    for count, sub in enumerate(subs, 1):
                        letter = names.subref(count)
                        _caption_prefix(sub["c"][1], f"({letter})")
                        _image_alt(sub)
                        if sub["c"][0][0]:
                            sub_number = f"{number} ({letter})"  # Quarto: "Figure 1.2 (a)"
                            register(
                                sub["c"][0][0],
                                Target(
                                    kind.prefix,
                                    sub_number,
                                    chapter.page,
                                    names.ref(kind, sub_number),
                                ),
                                chapter,
                            )
            elif (
                kind == "Figure"
                and TABLE_PANEL in node["c"][0][1]
                and SUBFIGURE not in node["c"][0][1]
            ):
                ident = node["c"][0][0]
                table_kind = BY_PREFIX["tbl"]
                number = _next(counts, prefix, "tbl", names)
                _caption_prefix(node["c"][1], names.caption(table_kind, number))
                _image_alt(node)
                register(
                    ident,
                    Target("tbl", number, chapter.page, names.ref(table_kind, number)),
                    chapter,
                )
                for count, sub in enumerate(_subfloats(node), 1):
                    letter = names.subref(count)
                    _caption_prefix(sub["c"][1], f"({letter})")
                    if sub["c"][0][0]:
                        sub_number = f"{number} ({letter})"
                        register(
                            sub["c"][0][0],
                            Target(
                                "tbl", sub_number, chapter.page, names.ref(table_kind, sub_number)
                            ),
                            chapter,
                        )
            elif kind == "Table" and SUBFIGURE not in node["c"][0][1]:
                ident = node["c"][0][0]
                if ident.startswith("tbl-"):
                    kind = BY_PREFIX["tbl"]
                    number = _next(counts, prefix, "tbl", names)
                    _caption_prefix(node["c"][1], names.caption(kind, number))
                    register(
                        ident, Target("tbl", number, chapter.page, names.ref(kind, number)), chapter
                    )
            elif kind in ("Div", "CodeBlock") and (block_kind := kind_of(node["c"][0][0])):
                ident = node["c"][0][0]
                if block_kind.element not in ("theorem", "callout", "listing"):
                    continue
                number = _next(counts, prefix, block_kind.prefix, names)
                title = f"{names.title(block_kind)}\u00a0{number}"
                if block_kind.element == "theorem":
                    title_theorem(node, title)
                elif block_kind.element == "callout":
                    _title_callout(node, title)
                else:
                    _listing(node, title, chapter, names.options.get("title-delim", ":"))
                register(
                    ident,
                    Target(block_kind.prefix, number, chapter.page, names.ref(block_kind, number)),
                    chapter,
                )
            elif kind == "Para":
                found = _equation_label(node)
                if found:
                    label, attrs = found
                    number = _next(counts, prefix, "eq", names)
                    math = node["c"][0]
                    alt = [["role", "math"], ["aria-label", attrs["alt"]]] if "alt" in attrs else []
                    for key in set(attrs) - {"alt"}:
                        log.warning(
                            "%s:%s: equation attribute '%s' is ignored by this build (it reads "
                            "alt)",
                            chapter.path,
                            _definition_line(chapter.source, label) or 1,
                            key,
                        )
                    node["c"] = [
                        Span(label, ["equation"], [math, Space(), Str(f"({number})")], alt)
                    ]
                    register(
                        label,
                        Target("eq", number, chapter.page, names.ref(BY_PREFIX["eq"], number)),
                        chapter,
                    )
    return targets


def _second_chapter_heading(chapter: Chapter, inlines: list[Node]) -> None:
    """A second numbered level-1 heading in a chapter titled by its first heading is refused
    (below a front-matter title they are made sections: `titles.shift_body_headings`)."""
    line = line_holding(chapter.source, stringify(inlines))
    raise BuildError(
        "only one numbered level-1 heading per chapter file; mark others {.unnumbered}",
        chapter.path,
        line,
    )


def _subfloats(figure: Node) -> list[Node]:
    """The subfigures (or sub-tables) of a figure, in order."""
    return [
        b for b in figure["c"][2] if b["t"] in ("Figure", "Table") and SUBFIGURE in b["c"][0][1]
    ]


def _callout_titles(nodes: list[Node], words: dict[str, str]) -> None:
    """An untitled callout's title from `language:` (`callout-tip-title`), kept on the div
    for `callouts.callout_of`."""
    for node in nodes:
        kind = callout_kind(node)
        word = words.get(f"callout-{kind}-title") if kind else None
        if word is not None:
            node["c"][0][2] = [kv for kv in node["c"][0][2] if kv[0] != TITLE_DEFAULT]
            node["c"][0][2].append([TITLE_DEFAULT, word])


def _title_callout(div: Node, title: str) -> None:
    """A numbered callout shows "Note 1.2: Its title", or "Note 1.2" when it has none
    (`callouts.callout_of` puts the two together)."""
    div["c"][0][2] = [kv for kv in div["c"][0][2] if kv[0] != TITLE_PREFIX]
    div["c"][0][2].append([TITLE_PREFIX, title])


def _listing(node: Node, title: str, chapter: Chapter, delim: str = ":") -> None:
    """A listing: its caption ("Listing 1.2: ..." above the code, as Quarto places it) and the
    code, in a div that carries the label. From a code block with `lst-cap`, or a div holding
    a code block and a caption paragraph."""
    ident = node["c"][0][0]
    if node["t"] == "CodeBlock":
        attrs = dict(node["c"][0][2])
        caption = caption_inlines(attrs["lst-cap"]) if attrs.get("lst-cap") else []
        code = {
            "t": "CodeBlock",
            "c": [
                ["", node["c"][0][1], [kv for kv in node["c"][0][2] if kv[0] != "lst-cap"]],
                node["c"][1],
            ],
        }
        rest: list[Node] = []
    else:
        blocks = node["c"][1]
        codes = [b for b in blocks if b["t"] == "CodeBlock"]
        paras = [b for b in blocks if b["t"] in ("Para", "Plain")]
        if len(codes) != 1:
            raise BuildError(
                f"listing '{ident}' must hold exactly one code block",
                chapter.path,
                _definition_line(chapter.source, ident),
            )
        code = codes[0]
        caption = paras[-1]["c"] if paras else []
        rest = [b for b in blocks if b is not code and (not paras or b is not paras[-1])]
    number = _number_span(f"{title}{delim}" if caption else title, "listing-number")
    head = {
        "t": "Plain",
        "c": [{"t": "Strong", "c": [number]}, *([Space(), *caption] if caption else [])],
    }
    node["t"] = "Div"
    node["c"] = [[ident, ["listing"], []], [Div("", ["listing-caption"], [head]), code, *rest]]


def _caption_prefix(caption: list[Any], text: str) -> None:
    blocks = caption[1]
    if blocks and blocks[0]["t"] in ("Plain", "Para"):
        blocks[0]["c"] = [_number_span(text, "figure-number"), Space(), *blocks[0]["c"]]
    else:
        blocks.insert(0, {"t": "Plain", "c": [_number_span(text, "figure-number")]})


def _image_alt(figure: Node) -> None:
    """Move Quarto's `fig-alt` attribute into the image's alt text."""
    for node in walk(figure["c"][2]):
        if node["t"] == "Image":
            attrs = node["c"][0][2]
            alt = [value for key, value in attrs if key == "fig-alt"]
            if alt:
                node["c"][0][2] = [[k, v] for k, v in attrs if k != "fig-alt"]
                node["c"][1] = [Str(alt[0])]


def _written(inlines: list[Node]) -> str | None:
    """The text of `inlines` as written (quotes kept), or None if they hold anything but
    words, spaces and quotes."""
    parts: list[str] = []
    for node in inlines:
        if node["t"] == "Str":
            parts.append(node["c"].replace("\u2019", "'"))  # smart typography's apostrophe
        elif node["t"] in ("Space", "SoftBreak"):
            parts.append(" ")
        elif node["t"] == "Quoted":
            mark = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
            inner = _written(node["c"][1])
            if inner is None:
                return None
            parts.append(mark + inner.replace("\\", "\\\\").replace(mark, "\\" + mark) + mark)
        else:
            return None
    return "".join(parts)


def _equation_label(para: Node) -> tuple[str, dict[str, str]] | None:
    """(label, attributes) of a display equation `$$ ... $$ {#eq-x alt="..."}`, else None."""
    content = para["c"]
    if not (
        len(content) >= 2 and content[0]["t"] == "Math" and content[0]["c"][0]["t"] == "DisplayMath"
    ):
        return None
    written = _written(content[1:])
    match = _EQ_ATTRS.match(written or "")
    if not match:
        return None
    rest = match[2]
    attrs = {
        m[1]: re.sub(r"\\(.)", r"\1", m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(rest)
    }
    if _ATTR.sub("", rest).strip():
        return None
    return match[1], attrs


def _is_ref(label: str, custom: set[str]) -> bool:
    """Whether `label` names a cross-reference kind: a built-in one or one of `custom`."""
    prefix, dash, _ = label.partition("-")
    return kind_of(label) is not None or bool(dash and prefix in custom)


def _uncapitalised(label: str, custom: set[str] | None = None) -> str:
    """`Fig-map` -> `fig-map` (Quarto's capitalised reference form); others unchanged."""
    lowered = label[:1].lower() + label[1:]
    return lowered if label[:1].isupper() and _is_ref(lowered, custom or set()) else label


def resolve_references(
    chapters: list[Chapter],
    targets: dict[str, Target],
    bib_keys: set[str],
    searched: tuple[Path, ...] = (),
    edition: tuple[str, set[str]] | None = None,
) -> list[str]:
    """Replace crossref cites by links; return the citation keys used (checked against bib).
    `edition`: (its name, the labels of every edition) when these chapters are one edition's
    copy, so a reference to what the edition hides is named as such."""
    problems: list[tuple[Path, int | None, str]] = []  # (file, line if known, what is wrong)
    cited: list[str] = []
    custom = ({t.kind for t in targets.values()} - set(KINDS)).union(
        *(custom_keys(c.meta) for c in chapters)
    )  # the custom kinds' keys: of the floats found, and those declared

    for chapter in chapters:
        crossref = chapter.meta.get("crossref")
        links = not isinstance(crossref, dict) or crossref.get("ref-hyperlink", True) is not False

        def fix(node: Node, chapter: Chapter = chapter, links: bool = links) -> list[Node] | None:
            if node["t"] != "Cite":
                return None
            citations = node["c"][0]
            ids = [c["citationId"] for c in citations]
            is_ref = [_is_ref(_uncapitalised(i, custom), custom) for i in ids]
            if not any(is_ref):
                for key in ids:
                    if key not in bib_keys:
                        line = _ref_line(chapter.source, key)
                        problems.append((chapter.path, line, _unknown_key(key, chapters, searched)))
                    cited.append(key)
                return None
            if not all(is_ref):
                line = _ref_line(chapter.source, ids[0])
                problems.append(
                    (
                        chapter.path,
                        line,
                        "a citation mixes cross-references and "
                        f"bibliography keys: {', '.join(ids)}",
                    )
                )
                return None
            out: list[Node] = []
            for position, citation in enumerate(citations):
                written = citation["citationId"]
                label = _uncapitalised(written, custom)
                target = targets.get(label)
                if target is None:
                    line = _ref_line(chapter.source, written)
                    what = f"unknown cross-reference '@{written}'"
                    if edition and label in edition[1]:
                        what = (
                            f"cross-reference '@{written}' names content the {edition[0].upper()} "
                            "edition does not show (.content-visible/.content-hidden): show it "
                            "in both editions, or make the reference conditional too"
                        )
                    problems.append((chapter.path, line, what))
                    return None
                text = target.text
                if citation["citationMode"]["t"] == "SuppressAuthor":  # [-@fig-x]: "1.2"
                    text = target.number or target.text
                elif written != label:  # @Fig-x: the prefix capitalised
                    text = text[:1].upper() + text[1:]
                if position:
                    out += [Str(","), Space()]
                out += citation["citationPrefix"] + (
                    [Space()] if citation["citationPrefix"] else []
                )
                if links:
                    out.append(Link([Str(text)], f"#{label}", ["quarto-xref"]))
                else:  # crossref: ref-hyperlink: false
                    out.append(Str(text))
                out += citation["citationSuffix"]
            return out

        chapter.blocks = map_inlines(chapter.blocks, fix)
    if problems:  # the first names its file and line on the error's own line; others follow
        (path, line, what), rest = problems[0], problems[1:]
        more = f" (and {len(rest)} more unresolved reference(s) below)" if rest else ""
        raise BuildError(
            what + more, path, line, detail="\n".join(f"{p}:{n}: {w}" for p, n, w in rest)
        )
    return cited


def _unknown_key(key: str, chapters: list[Chapter], searched: tuple[Path, ...] = ()) -> str:
    """Why `@key` is neither a citation nor a cross-reference: not in the bibliography files
    `searched`, or (when an element of the book has that id) a label whose prefix is no
    cross-reference kind."""
    prefix, dash, _ = key.partition("-")
    if dash and any(key in ids_in(c.blocks) for c in chapters):
        return (
            f"'@{key}' names an element with that id, but '{prefix}-' is not a cross-reference "
            f"kind (the kinds are {', '.join(KINDS)}; declare a float kind of your own under "
            "crossref: custom:)"
        )
    if not searched:
        return (
            f"unknown citation key '@{key}' (the book has no bibliography: neither "
            "_quarto.yml nor a chapter's front matter names one)"
        )
    names = [str(p) for p in searched]
    either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"unknown citation key '@{key}' (not in {either})"


def check_attrs(chapters: list[Chapter]) -> None:
    """Labels of the wrong kind in the wrong place are errors (e.g. `#fig-` on a table)."""
    for chapter in chapters:
        for node in walk(chapter.blocks):
            attr = attr_of(node)
            if not attr or not attr[0]:
                continue
            kind = attr[0].split("-", 1)[0]
            expected = {"fig": "Figure", "tbl": "Table"}.get(kind)
            allowed = (expected, "Div", "Span", "Image", *(("Figure",) if kind == "tbl" else ()))
            if expected and node["t"] not in allowed and "-" in attr[0]:  # `![c](i){#tbl-x}`
                raise BuildError(
                    f"label '{attr[0]}' is on a {node['t']}, not a {expected}",
                    chapter.path,
                    line_holding(chapter.source, attr[0]),
                )
            _check_block_label(node, attr[0], chapter)


def _check_block_label(node: Node, label: str, chapter: Chapter) -> None:
    """Theorem labels go on divs, listing labels on code blocks or divs, callout labels on a
    callout of their own kind (`#nte-` on `.callout-note`)."""
    kind = kind_of(label)
    if kind is None or kind.element not in ("theorem", "listing", "callout"):
        return
    problem = None
    if kind.element == "theorem" and node["t"] != "Div":
        problem = f"is on a {node['t']}: a {kind.name.lower()} is a div, ::: {{#{label}}}"
    elif kind.element == "listing" and node["t"] not in ("CodeBlock", "Div"):
        problem = f"is on a {node['t']}: a listing is a code block with lst-cap, or a div"
    elif kind.element == "callout":
        wanted = CALLOUT_PREFIXES[kind.prefix]
        if node["t"] != "Div" or callout_kind(node) != wanted:
            problem = f"must label a .callout-{wanted} (the prefix names the callout's kind)"
    if problem:
        raise BuildError(
            f"label '{label}' {problem}", chapter.path, line_holding(chapter.source, f"#{label}")
        )
