"""The option registry: every option this build knows, in one table.

Each `Option` says where it is accepted (`levels`), what it may hold (`types`, and for a
string the `allowed` words; none means any text), its `default`, and its support status with
a `note` (the difference from Quarto, or what the build says). The checks in
`config/project.py` and `source/qmd.py` read their tables from here, and
`scripts/quarto_support.py` writes `docs/quarto-support.md` from it.

An option Quarto's schema (`quarto_schema.json`) knows but this table does not is treated by
level: a cell or `execute:` option is refused, a project or book key is ignored with a
warning, a document option in a chapter's front matter is ignored with a warning, and any
other key is kept as metadata (Quarto allows custom keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED = "supported"
DIFFERENT = "supported with a difference"
IGNORED = "ignored with a warning"
REFUSED = "refused"
STATUSES = (SUPPORTED, DIFFERENT, IGNORED, REFUSED)

# Where an option may be written.
CELL = "cell"  # a `#|` line of a Python cell
EXECUTE = "execute"  # `execute:` in `_quarto.yml` or a chapter's front matter
FRONT = "front matter"  # a chapter's front matter
FORMAT = "format"  # `format: html:` or `format: typst:`/`pdf:` in `_quarto.yml`
PROJECT = "project"  # `project:` in `_quarto.yml`
BOOK = "book"  # `book:` in `_quarto.yml`
BUILD = "bookbuild"  # `bookbuild:` in `_quarto.yml` (this build's own)
HOUSE = "bookbuild: house-rules"  # `bookbuild: house-rules:` in `_quarto.yml` (this build's own)
TYPST = "format: typst"  # the PDF's options in `_quarto.yml` (`format: typst:` or `pdf:`)
LAYOUT = "thesis: layout"  # the PDF's layout beyond Quarto's options (this build's own)
CROSSREF = "crossref"  # `crossref:` in `_quarto.yml` or a chapter's front matter
CUSTOM = "crossref: custom"  # each entry of `crossref: custom:` (a float kind of the book's own)
LEVELS = (
    CELL,
    EXECUTE,
    FRONT,
    FORMAT,
    PROJECT,
    BOOK,
    BUILD,
    HOUSE,
    TYPST,
    LAYOUT,
    CROSSREF,
    CUSTOM,
)


@dataclass(frozen=True)
class Option:
    """One option: where it is accepted, what it holds, and how this build treats it."""

    name: str
    levels: tuple[str, ...]
    types: tuple[type, ...]
    allowed: tuple[str, ...] = ()  # the words a string value may take (empty: any text)
    default: Any = None  # None: no default (absent unless given)
    status: str = SUPPORTED
    note: str = ""  # the difference, or the message, for the status

    def value_words(self) -> str:
        """The values it takes, in words: `true, false, fenced` or `text`."""
        words = ["empty"] if type(None) in self.types else []
        words += ["true", "false"] if bool in self.types else []
        if self.allowed:
            words += self.allowed
        elif str in self.types:
            words.append("text")
        if int in self.types and bool not in self.types:
            words.append("number")
        return ", ".join(words)


_C, _E = (CELL,), (CELL, EXECUTE)
_TEXT, _FLAG, _NUM = (str,), (bool,), (int, float)

OPTIONS: tuple[Option, ...] = (
    # Cell options (`#|`); the execution ones also under `execute:`.
    Option("label", _C, _TEXT),
    Option("fig-cap", _C, _TEXT),
    Option("fig-alt", _C, (str, list)),  # a list: one per subfigure
    Option("tbl-cap", _C, _TEXT),
    Option(
        "tbl-colwidths",
        _C,
        (list,),
        status=DIFFERENT,
        note="the column widths, in percent, of the cell's table (a DataFrame's, or an HTML "
        "table's); one positive number per column (Quarto also takes true, false, auto)",
    ),
    Option("fig-scap", _C, _TEXT),  # short caption, for the list of figures
    Option(
        "fig-subcap",
        _C,
        (list, bool),
        note="a cell's several figures become subfigures (a), (b) of its fig- label, "
        "`@<label>-1` referring to the first; a list gives their captions",
    ),
    Option("layout-ncol", _C, (int,), note="the subfigures of a cell, in this many columns"),
    Option("layout-nrow", _C, (int,), note="the subfigures of a cell, in this many rows"),
    Option("layout", _C, (str, list), note='the subfigures of a cell in rows: "[[1,1],[1]]"'),
    Option("id", _C, _TEXT, note="the notebook cell's id: no effect on the output, as in Quarto"),
    Option(
        "export",
        _C,
        (type(None), bool, str),
        note="an nbconvert (nbdev) tag, `#| export:` with or without a value: no effect on the "
        "output, as in Quarto",
    ),
    Option("lst-label", _C, _TEXT, note="the cell's echoed code is a numbered listing"),
    Option("lst-cap", _C, _TEXT, note="the listing's caption (with lst-label)"),
    Option("echo", _E, (bool, str), ("fenced",), True),
    Option("eval", _E, _FLAG, default=True),
    Option("output", _E, (bool, str), ("asis",), True),
    Option("warning", _E, _FLAG, default=True),
    Option("include", _E, _FLAG, default=True),
    Option("error", _E, _FLAG, default=False),
    Option(
        "freeze",
        (EXECUTE,),
        (bool, str),
        ("auto",),
        False,
        DIFFERENT,
        "every chapter's run is kept in _freeze/ and reused while its code and inputs are "
        "unchanged, whatever the value",
    ),
    Option(
        "fig-format",
        _C,
        _TEXT,
        ("svg", "png"),
        "svg",
        DIFFERENT,
        "only svg and png (Quarto also takes retina, jpeg and pdf)",
    ),
    Option(
        "fig-width",
        _C,
        _NUM,
        status=DIFFERENT,
        note="a positive number of inches; sets matplotlib's figure size for the cell",
    ),
    Option(
        "fig-height",
        _C,
        _NUM,
        status=DIFFERENT,
        note="a positive number of inches; sets matplotlib's figure size for the cell",
    ),
    Option(
        "fig-dpi",
        _C,
        (int,),
        status=DIFFERENT,
        note="a positive whole number; sets matplotlib's resolution for the cell",
    ),
    Option(
        "code-fold",
        (CELL, FORMAT),
        (bool, str),
        ("show",),
        False,
        note="HTML folds the code (show: open); the PDF shows it unfolded, as Quarto does; "
        "under format: html: the default for every cell",
    ),
    Option(
        "code-summary",
        (CELL, FORMAT),
        _TEXT,
        default="Code",
        note="the fold's summary, in HTML",
    ),
    # `format: html:` / `format: typst:` (or `pdf:`): per edition. The execution options
    # (echo, eval, output, ...) are refused there: both editions are woven from one run.
    Option(
        "fig-cap-location",
        (FORMAT, FRONT),
        _TEXT,
        ("top", "bottom"),
        "bottom",
        DIFFERENT,
        "top or bottom (Quarto also takes margin); at the top level of _quarto.yml for both "
        "editions, under format: for one, in a chapter's front matter for that chapter",
    ),
    Option(
        "tbl-cap-location",
        (FORMAT, FRONT),
        _TEXT,
        ("top", "bottom"),
        "top",
        DIFFERENT,
        "as fig-cap-location, for tables",
    ),
    Option(
        "lst-cap-location",
        (FORMAT, FRONT),
        _TEXT,
        ("top", "bottom"),
        "top",
        DIFFERENT,
        "as fig-cap-location, for listings (also lst-cap-location= on a listing)",
    ),
    Option(
        "toc",
        (FORMAT,),
        _FLAG,
        default=True,
        status=DIFFERENT,
        note="always on: the HTML edition has its contents sidebar, the PDF its table of contents "
        "(toc: false is ignored with a warning)",
    ),
    Option(
        "canonical-url",
        (FORMAT,),
        (bool, str),
        default=False,
        note="under format: html: true gives each page its canonical link, built from book: "
        "site-url: (the index page's is the site's address), a URL writes that one; true "
        "without site-url: is warned about and writes none, as Quarto needs it",
    ),
    Option("keywords", (FORMAT,), (str, list), note="the PDF's keywords (its metadata)"),
    Option(
        "variant",
        (FORMAT,),
        _TEXT,
        status=REFUSED,
        note="this build reads every chapter with Quarto's default Markdown extensions; a "
        "variant (+ext, -ext) would change what the text means, so it is refused, as are "
        "format names with one (html+ext)",
    ),
    Option(
        "reference-location",
        (FORMAT, FRONT),
        _TEXT,
        ("document", "margin"),
        "document",
        DIFFERENT,
        "margin: in HTML each footnote beside the block citing it (Quarto's "
        "div.column-margin); the PDF keeps footnotes at the foot of the page, with a warning "
        "(Quarto's Typst sets them as side notes in a widened margin; a thesis's margins are "
        "fixed). At the top level of _quarto.yml, under format: html:, or in a chapter's front "
        "matter (that page); section and block are refused",
    ),
    Option(
        "code-annotations",
        (FRONT,),
        (bool, str),
        ("below", "hover", "select", "none"),
        "below",
        DIFFERENT,
        "a code line ending in a comment with <N> is explained by item N of the ordered list "
        "after the code: both editions take the markers out of the code and show the list "
        "with the lines each item explains (Line 3, Lines 4-7), as Quarto does for Word and "
        "GitHub Markdown (its HTML puts numbered markers in the code); hover and select are "
        "shown as below; none drops markers and list; false leaves both. At the top level of "
        "_quarto.yml or in a chapter's front matter",
    ),
    Option(
        "code-copy",
        (FORMAT, FRONT),
        (bool, str),
        ("hover",),
        "hover",
        note="HTML: a button on each code block copies its code (hover: shown while the "
        "pointer or focus is on the block, or always on a touch screen; true: always); the "
        "PDF has none. At the top level, under format: html:, or in a chapter's front matter",
    ),
    Option(
        "citation-location",
        (FORMAT, FRONT),
        _TEXT,
        ("document",),
        "document",
        DIFFERENT,
        "margin is refused: citations stay in the text and the entries in the reference lists",
    ),
    Option(
        "papersize", (FORMAT,), _TEXT, default="a4", note="the PDF's paper size (Typst's names)"
    ),
    *(
        Option(
            name,
            (FORMAT,),
            (str, list, dict),
            status=DIFFERENT,
            note=f"{where}; a file's name (relative to the project), a text: or file: "
            "mapping, or a list of these; at the top level of _quarto.yml and under format: "
            "html: (after the top level's) for every HTML page, as Quarto does for a book; "
            "under format: typst: Typst code for the PDF; a top-level one is not put into the "
            "PDF, with a warning. Shortcodes in a text: are resolved, as in a raw block",
        )
        for name, where in (
            ("include-in-header", "HTML: at the end of <head>; PDF: before the title page"),
            ("include-before-body", "HTML: after <body> opens; PDF: before the first chapter"),
            ("include-after-body", "HTML: before </body>; PDF: after the last chapter"),
        )
    ),
    *(
        Option(
            name,
            (FRONT,),
            (str, list, dict),
            status=DIFFERENT,
            note="into that chapter's HTML page only, after the book's (files relative to "
            "the chapter), as Quarto does; not into the PDF (one document for the book)",
        )
        for name in ("include-in-header", "include-before-body", "include-after-body")
    ),
    # A chapter's front matter: only `execute:` acts; other Quarto options are warned about.
    Option(
        "execute",
        (FRONT,),
        (dict,),
        status=SUPPORTED,
        note="the chapter's execution defaults (the execute options above)",
    ),
    Option(
        "brand",
        (FRONT,),
        (str, dict),
        status=DIFFERENT,
        note="read by the `brand` shortcode only (its logos; a mapping, or a file's name; "
        "without it, the project's `_brand.yml`); the brand's colours and fonts are not applied",
    ),
    Option(
        "language",
        (FRONT,),
        (str, dict),
        status=DIFFERENT,
        note="in _quarto.yml or a chapter's front matter (over the book's): a mapping of "
        "Quarto's language keys, per language tag too (`fr:`), or a YAML file's name. Applied: "
        "callout-<kind>-title, crossref-<kind>-title and -prefix (every kind, the book's own "
        "too; `crossref:` wins), crossref-ch-prefix, crossref-apx-prefix, crossref-lof-title "
        "and crossref-lot-title (the PDF's lists), environment-proof/remark/solution-title, "
        'code-summary, toc-title-website (HTML\'s "On this page"), toc-title-document '
        "(the PDF's contents), code-tools-source-code and repo-action-links-edit/source/issue "
        "(the repository links). Quarto's other keys name text this build does not print: "
        "ignored with a warning; a key Quarto does not have is an error. Quarto's own "
        "translations for `lang:` are not applied (the defaults stay English)",
    ),
    Option(
        "crossref",
        (FRONT,),
        (dict,),
        note="the chapter's own cross-reference options, over those of `_quarto.yml` (the "
        "`crossref:` options below)",
    ),
    Option(
        "bibliography",
        (FRONT,),
        (str, list),
        status=DIFFERENT,
        note="the chapter's own files (relative to the chapter's file) join the book's for "
        "citeproc, which cites the whole book at once: their keys can be cited from every "
        "chapter and their entries go to the book's reference lists (Quarto renders each "
        "chapter with its own files only); a key in two files with different entries is an "
        "error naming both",
    ),
    Option(
        "html-table-processing",
        (FRONT,),
        _TEXT,
        ("none",),
        note="none: the chapter's raw HTML tables keep their classes as written (else they get "
        "Quarto's `table` and Bootstrap classes, as its tables do); also an attribute of a div, "
        "for the tables in it",
    ),
    Option(
        "csl",
        (FRONT,),
        _TEXT,
        status=DIFFERENT,
        note="only the book's own style (`csl:` in `_quarto.yml`); another is refused: the "
        "book is cited in one style",
    ),
    *(
        Option(
            name,
            (FRONT,),
            types,
            status=IGNORED,
            note=f"{what}; this build cites the whole book at once, with one set of "
            "reference lists",
        )
        for name, types, what in (
            ("nocite", _TEXT, "Quarto adds the entries it names to the chapter's reference list"),
            (
                "suppress-bibliography",
                _FLAG,
                "Quarto leaves the chapter without its reference list",
            ),
        )
    ),
    Option(
        "title",
        (FRONT,),
        _TEXT,
        status=DIFFERENT,
        note="the chapter's level-1 heading, numbered as one, in both editions, the contents, "
        "bookmarks, search and running heads; attributes after the text as in Quarto "
        "(`Preface {.unnumbered}`, `Intro {#sec-intro}`). Numbered `#` headings in the body "
        "under `title:` are set as the chapter's sections, every body heading one level down "
        '(1.1, 1.1.1, ... in both editions; `@sec-` gives "Section 1.1"), with a warning: '
        "Quarto's HTML leaves them top-level sections numbered as the chapters after it "
        '("2 ..." in chapter 1) and its PDF makes each a chapter of its own. Without '
        "`title:` the first heading outside any div is the title, moved "
        "to the top (Quarto also takes one inside a div); with no heading at all the chapter "
        "is numbered and titled with its page's name (Quarto's contents show that name; its "
        "page has no title), with a warning",
    ),
    *(
        Option(
            name,
            (FRONT,),
            (str, list, dict) if name == "author" else _TEXT,
            status=IGNORED,
            note="Quarto shows it under the chapter's title; this build does not show it",
        )
        for name in ("subtitle", "author", "date")
    ),
    # `project:`
    Option(
        "type",
        (PROJECT,),
        _TEXT,
        ("book",),
        status=DIFFERENT,
        note="must be book: other project types are refused",
    ),
    Option(
        "output-dir",
        (PROJECT,),
        _TEXT,
        default="_book",
        status=DIFFERENT,
        note="must be a folder of its own inside the project (not a source or state folder)",
    ),
    Option("title", (PROJECT, BOOK), _TEXT),
    Option("resources", (PROJECT,), (str, list)),
    # `book:`
    Option("subtitle", (BOOK,), _TEXT),
    Option("author", (BOOK,), (str, list, dict)),
    Option("date", (BOOK,), _TEXT),
    Option("chapters", (BOOK,), (list,)),
    Option("appendices", (BOOK,), (list,)),
    Option("abstract", (BOOK,), _TEXT),
    Option("description", (BOOK,), _TEXT),
    Option("downloads", (BOOK,), (list,)),
    Option("output-file", (BOOK,), _TEXT),
    Option(
        "site-url",
        (BOOK,),
        _TEXT,
        note="the address the HTML edition is published at; with canonical-url: true under "
        "format: html, each page's canonical link is built from it",
    ),
    Option(
        "repo-url",
        (BOOK,),
        _TEXT,
        note="the book's source repository: HTML links to it among the book's tools (top "
        "bar), as Quarto's sidebar tools do (github icon for github.com, else git)",
    ),
    Option(
        "repo-actions",
        (BOOK, FRONT),
        (list, str, bool),
        note="edit, source, issue: each HTML page's 'Edit this page', 'View source', "
        "'Report an issue' links (under its 'On this page' list, else at its foot), as "
        "Quarto's; a chapter's false or none drops them from its page",
    ),
    Option("repo-subdir", (BOOK,), _TEXT, note="the book's folder in the repository"),
    Option("repo-branch", (BOOK,), _TEXT, default="main", note="the repository's branch"),
    Option("repo-link-target", (BOOK,), _TEXT, note="the repository links' target"),
    Option("repo-link-rel", (BOOK,), _TEXT, note="the repository links' rel"),
    Option("issue-url", (BOOK,), _TEXT, note="the 'Report an issue' link's address"),
    # This build's own settings (Quarto keeps unknown top-level keys as metadata).
    Option(
        "cell-timeout",
        (BUILD,),
        (int,),
        default=600,
        status=DIFFERENT,
        note="this build's own: seconds a cell may run (Quarto has no limit)",
    ),
    Option(
        "chapter-timeout",
        (BUILD,),
        (int,),
        status=DIFFERENT,
        note="this build's own: seconds a chapter may run (no limit unless given)",
    ),
    Option(
        "checksums",
        (BUILD,),
        _TEXT,
        default="data/raw/SHA256SUMS",
        status=DIFFERENT,
        note="this build's own: the raw data's checksum manifest (sha256sum format); every "
        "file under its folder that a chapter reads must be listed with its SHA-256",
    ),
    Option(
        "checksums-update",
        (BUILD,),
        _TEXT,
        status=DIFFERENT,
        note="this build's own: the command that accepts a changed raw file (named in the "
        "error; without it, the error says to update the manifest's line)",
    ),
    Option(
        "colophon-guide",
        (BUILD,),
        _TEXT,
        status=DIFFERENT,
        note="this build's own: a markdown file of the project shown on the generated "
        "colophon page after the table of versions (for a thesis, an examiner's guide)",
    ),
    Option(
        "record-versions",
        (BUILD,),
        (list,),
        status=DIFFERENT,
        note="this build's own: the book's packages whose versions the colophon and "
        "provenance.json record, beside Python, Pandoc and the build's own engines",
    ),
    Option(
        "figures-labelled",
        (HOUSE,),
        _FLAG,
        default=False,
        status=DIFFERENT,
        note="this build's own: every figure cell needs '#| label: fig-...', 'fig-cap' "
        "and 'fig-alt'",
    ),
    # The PDF's page (config/layout.py); a thesis's defaults, a plain book's in the note.
    Option(
        "papersize",
        (TYPST,),
        _TEXT,
        ("a4", "a5", "b5", "us-letter", "us-legal"),
        "a4",
        DIFFERENT,
        "Typst's paper names for these sizes; LaTeX's letter, a4paper and letterpaper are "
        "taken for them",
    ),
    Option(
        "fontsize",
        (TYPST,),
        _TEXT,
        default="12pt",
        status=DIFFERENT,
        note="a length from 8pt to 20pt (a book that is not a thesis: 11pt)",
    ),
    Option(
        "linestretch",
        (TYPST,),
        _NUM,
        default=1.5,
        note="1 to 3; the leading is linestretch x 0.65em, as in Quarto's Typst template "
        "(a book that is not a thesis: 1.05)",
    ),
    Option(
        "margin",
        (TYPST,),
        (dict,),
        default="top 25mm, bottom 25mm, left 30mm, right 25mm",
        status=DIFFERENT,
        note="top, bottom, left, right, x, y as lengths in mm, cm, in or pt (no %); left is "
        "the inside margin and right the outside one, binding (below) is added to the inside",
    ),
    Option(
        "preset",
        (LAYOUT,),
        _TEXT,
        ("default", "ucl", "leicester", "uq"),
        "default",
        DIFFERENT,
        "this build's own: a whole layout from a university's regulations "
        "(docs/layout-presets.md); options written out override it",
    ),
    Option(
        "sides",
        (LAYOUT,),
        _TEXT,
        ("one", "two"),
        "one",
        DIFFERENT,
        "this build's own: two mirrors the margins and running headers on left-hand pages",
    ),
    Option(
        "binding",
        (LAYOUT,),
        _TEXT,
        default="10mm",
        status=DIFFERENT,
        note="this build's own: a length added to the inside margin for the binding",
    ),
    Option(
        "chapters-open",
        (LAYOUT,),
        _TEXT,
        ("any", "right"),
        "any",
        DIFFERENT,
        "this build's own: right starts chapters and parts on odd pages, after an empty "
        "left-hand page when needed",
    ),
    # `crossref:` (besides `<prefix>-title`, `<prefix>-prefix`, `<prefix>-labels` per kind;
    # document/crossref.py checks the values).
    Option(
        "custom",
        (CROSSREF,),
        (list,),
        note="the book's own float kinds, one entry each (the `crossref: custom` options "
        "below); a chapter's entries add to the book's (one with the same key replaces it)",
    ),
    Option(
        "labels",
        (CROSSREF,),
        _TEXT,
        default="arabic",
        note="arabic, roman, roman i or alpha x (letters from x): every kind's item numbers "
        "but sub-items' (the chapter's part stays arabic)",
    ),
    Option(
        "subref-labels",
        (CROSSREF,),
        _TEXT,
        default="alpha a",
        note="the same schemes, for subfigures and sub-tables",
    ),
    Option("title-delim", (CROSSREF,), _TEXT, default=":", note="after a float's number"),
    Option(
        "ref-hyperlink",
        (CROSSREF,),
        _FLAG,
        default=True,
        note="false: references are plain text, not links",
    ),
    Option(
        "chapters",
        (CROSSREF,),
        _FLAG,
        default=True,
        status=DIFFERENT,
        note="false is refused: a book numbers its items by chapter (1.2)",
    ),
    # Each entry of `crossref: custom:` (document/custom_kinds.py reads them).
    Option(
        "kind",
        (CUSTOM,),
        _TEXT,
        ("float",),
        note="required; float is the only kind Quarto has (others are refused)",
    ),
    Option(
        "key",
        (CUSTOM,),
        _TEXT,
        note="required; the labels' prefix (`key: dia` numbers `::: {#dia-x}`), lowercase "
        "letters, not a built-in kind's prefix",
    ),
    Option(
        "reference-prefix",
        (CUSTOM,),
        _TEXT,
        note='required; what a reference shows before the number ("Diagram 1.2")',
    ),
    Option(
        "caption-prefix",
        (CUSTOM,),
        _TEXT,
        note="the caption's title before the number (default: the reference-prefix), as "
        "Quarto's documentation describes it",
    ),
    Option(
        "space-before-numbering",
        (CUSTOM,),
        _FLAG,
        default=True,
        note='false: no space between the prefix and the number ("Table S1.2")',
    ),
    Option(
        "caption-location",
        (CUSTOM,),
        _TEXT,
        ("top", "bottom", "margin"),
        "bottom",
        DIFFERENT,
        "margin is shown at the bottom, with a warning (this build keeps captions with "
        "their floats)",
    ),
    *(
        Option(
            name,
            (CUSTOM,),
            _TEXT,
            note="LaTeX only: no effect on the HTML or the Typst PDF (as in Quarto)",
        )
        for name in (
            "latex-env",
            "latex-list-of-file-extension",
            "latex-list-of-description",
        )
    ),
)


def at(level: str) -> dict[str, Option]:
    """The options accepted at `level`, by name."""
    return {o.name: o for o in OPTIONS if level in o.levels}


def cell_types() -> dict[str, tuple[type, ...]]:
    """Each cell option's accepted value types (what `source/qmd.py` checks)."""
    return {name: option.types for name, option in at(CELL).items()}


def allowed_words(level: str) -> dict[str, tuple[str, ...]]:
    """The words each string-valued option at `level` may take (options with a fixed set)."""
    return {name: option.allowed for name, option in at(level).items() if option.allowed}


def house_rules() -> dict[str, str]:
    """Each `bookbuild: house-rules:` setting with what it requires."""
    return {
        name: option.note.removeprefix("this build's own: ") for name, option in at(HOUSE).items()
    }


def status_of(name: str, level: str, quarto_names: set[str] | frozenset[str]) -> str:
    """How this build treats option `name` at `level`, given the names Quarto's schema
    accepts there: a registered option's own status; else refused (cell, execute),
    ignored with a warning (project, book, front matter) or refused as not Quarto's."""
    option = at(level).get(name)
    if option is not None:
        return option.status
    if name not in quarto_names:
        return REFUSED
    return REFUSED if level in (CELL, EXECUTE) else IGNORED
