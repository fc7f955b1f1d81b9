"""The book model: `_quarto.yml` read into a `Book` (metadata, chapter order, formats).

Only the Quarto keys this build honours are interpreted; every key is checked against the
option names Quarto's own schema accepts (`quarto_schema.json`), so a key Quarto would reject
is an error here too, and a key Quarto accepts but this build ignores is a warning.
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bookbuild.config import language, page_includes, registry
from bookbuild.config.repo import Repo, actions_of, load_repo
from bookbuild.errors import BuildError
from bookbuild.state import store

log = logging.getLogger("bookbuild")

CONFIG_NAME = "_quarto.yml"

# Top-level keys of a Quarto project file that are not document options.
_STRUCTURAL_KEYS = {
    "project",
    "book",
    "format",
    "execute",
    "jupyter",
    "engine",
    "metadata-files",
    "thesis",  # `thesis:`: the title page's fields, read by config/thesis.py
    "bookbuild",  # this build's own settings (below)
}
# This build's own settings, all in one block (Quarto has no time limit for cells; it keeps
# unknown top-level keys as metadata): `bookbuild: {cell-timeout: s, chapter-timeout: s,
# house-rules: {...}}`. These tables are read from the option registry (config/registry.py).
HOUSE_KEY = "house-rules"  # the strictness settings' block inside `bookbuild:`
VERSIONS_KEY = "record-versions"  # packages whose versions the colophon records
_LIMITS = ("cell-timeout", "chapter-timeout")
_TEXTS = ("checksums", "checksums-update", "colophon-guide")
DEFAULT_CHECKSUMS = Path(registry.at(registry.BUILD)["checksums"].default)
BUILD_OPTIONS = set(registry.at(registry.BUILD))
DEFAULT_CELL_TIMEOUT_S = int(registry.at(registry.BUILD)["cell-timeout"].default)
# `house-rules:` settings, each off unless turned on (off means Quarto's defaults apply).
HOUSE_RULES = registry.house_rules()
# Project-level keys this build interprets (others Quarto accepts are reported as ignored).
_HONOURED_PROJECT = set(registry.at(registry.PROJECT))
_HONOURED_BOOK = set(registry.at(registry.BOOK))
_HONOURED_EXECUTE = set(registry.at(registry.EXECUTE))
# The values each `execute:` option may take: its types, and for strings the allowed words.
_EXECUTE_VALUES: dict[str, tuple[tuple[type, ...], tuple[str, ...]]] = {
    name: (option.types, option.allowed) for name, option in registry.at(registry.EXECUTE).items()
}
# Front-matter keys this build honours per file (others Quarto accepts are warned about).
_HONOURED_FRONT_MATTER = set(registry.at(registry.FRONT))
# Citation options of `_quarto.yml` citeproc is not given (a chapter's are warned about too).
_UNCITED = ("nocite", "suppress-bibliography")
# `format: html:`/`format: typst:` options this build applies per edition.
_FORMAT_OPTIONS = registry.at(registry.FORMAT)
# Where captions go: Quarto options (its schema lists them per format, not as document keys).
CAPTION_KEYS = ("fig-cap-location", "tbl-cap-location", "lst-cap-location")
# Folders that hold sources, state or tools: an output folder may not be, hold or sit in one.
RESERVED_DIRS = (
    "chapters",
    "analysis",
    "data",
    "bookbuild",
    "tests",
    "figures",
    "docs",
    "bench",
    "seed",
    store.FREEZE_DIR.name,
    store.STATE_DIR.name,
    ".git",
    ".venv",
    "node_modules",
)


@cache
def quarto_schema() -> dict[str, Any]:
    """Option names accepted by Quarto's YAML schema (a pinned snapshot, see its `about`)."""
    text = (Path(__file__).with_name("quarto_schema.json")).read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class ChapterRef:
    """One entry of the book's reading order."""

    path: Path  # relative to the project root
    part: str | None  # the `part:` group it belongs to, if any
    appendix: bool


@dataclass(frozen=True)
class Book:
    root: Path
    title: str
    subtitle: str
    authors: tuple[str, ...]
    date: str
    chapters: tuple[ChapterRef, ...]
    bibliography: tuple[Path, ...]
    csl: Path | None
    lang: str
    execute: dict[str, Any]
    html: dict[str, Any]
    pdf: dict[str, Any]
    output_dir: Path
    metadata: dict[str, Any] = field(default_factory=dict)  # other document options
    cell_timeout: int = DEFAULT_CELL_TIMEOUT_S  # seconds a cell may run
    chapter_timeout: int | None = None  # seconds a chapter may run (None: no limit)
    house_rules: frozenset[str] = frozenset()  # the `bookbuild: house-rules:` settings on
    record_versions: tuple[str, ...] = ()  # the book's packages the colophon names
    checksums: Path = DEFAULT_CHECKSUMS  # the raw data's manifest, relative to the root
    checksums_update: str = ""  # the command that accepts a changed raw file, if any
    colophon_guide: Path | None = None  # the book's own text for the colophon page
    site_url: str = ""  # `book: site-url:`, where the HTML edition is published
    repo: Repo | None = None  # `book: repo-url:` and its options: links to the sources

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


@lru_cache(maxsize=512)
def _parsed_yaml(text: str) -> Any:
    return yaml.safe_load(text)


def load_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML, turning a syntax error into a `BuildError` with the file and line.

    A build reads `_quarto.yml` and each front matter many times (once per chapter and
    stage, 40 ms a time for the thesis's `_quarto.yml`), so each text is parsed once per
    process; callers get their own copy."""
    try:
        return copy.deepcopy(_parsed_yaml(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        raise BuildError(f"invalid YAML: {problem}", path, line) from None


def read_text(path: Path) -> str:
    """A source file's text; one that is not UTF-8 is an error naming the line of the first
    bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BuildError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}) — save the file as UTF-8", path, line
        ) from None


def _line_of(text: str, key: str) -> int | None:
    """First line (1-based) on which `key:` appears, for pointing at a bad option."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith((f"{key}:", f"- {key}:")):
            return number
    return None


def _entry_line(text: str, entry: str) -> int | None:
    """First line (1-based) of the list item `- entry` (quoted or not)."""
    pattern = re.compile(rf"""^\s*-\s*['"]?{re.escape(entry)}['"]?\s*$""")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


def did_you_mean(key: Any, known: Any) -> str:
    """ " (did you mean 'x'?)" for the closest of `known` names, or ""."""
    close = difflib.get_close_matches(str(key), [str(k) for k in known], n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_document_keys(options: dict[str, Any], path: Path, text: str, where: str) -> None:
    """Keys Quarto's schema does not know are custom metadata, as Quarto allows (`{{< meta >}}`
    reads them); one that looks like a misspelt Quarto option is warned about."""
    known = quarto_schema()["document_options"]
    for key in options:
        if key not in known and key not in _STRUCTURAL_KEYS and key not in CAPTION_KEYS:
            hint = did_you_mean(key, known)
            if hint:
                log.warning(
                    "%s:%s: '%s' in %s is not a Quarto option; kept as custom metadata%s",
                    path,
                    _line_of(text, str(key)) or 1,
                    key,
                    where,
                    hint,
                )


def check_execute(options: Any, path: Path, text: str) -> None:
    """Error on an `execute:` block with an unknown option or a value of the wrong type."""
    if not isinstance(options, dict):
        raise BuildError(
            "execute: must be a mapping of options", path, _line_of(text, "execute") or 1
        )
    for key, value in options.items():
        line = _line_of(text, str(key)) or 1
        if key not in _HONOURED_EXECUTE:
            schema = quarto_schema()
            if key in schema["cell_options"] or key in schema["document_options"]:
                raise BuildError(
                    f"execute option '{key}' is not supported by this build (it "
                    "is a Quarto option; remove it)",
                    path,
                    line,
                )
            raise BuildError(
                f"execute option '{key}' is not a Quarto option"
                f"{did_you_mean(key, _HONOURED_EXECUTE)}",
                path,
                line,
            )
        types, words = _EXECUTE_VALUES[key]
        if not isinstance(value, types) or (isinstance(value, str) and value not in words):
            wanted = " or ".join(["true", "false", *words])
            raise BuildError(f"execute option '{key}' must be {wanted}, got {value!r}", path, line)


def check_house_rules(value: Any, path: Path, text: str) -> frozenset[str]:
    """The `bookbuild: house-rules:` settings turned on; an unknown name or a non-boolean is
    an error."""
    if value is None:
        return frozenset()
    if not isinstance(value, dict):
        raise BuildError(
            "bookbuild: house-rules: must be a mapping of settings to true or false",
            path,
            _line_of(text, "house-rules") or 1,
        )
    on = set()
    for key, setting in value.items():
        line = _line_of(text, str(key)) or _line_of(text, "house-rules") or 1
        if key not in HOUSE_RULES:
            raise BuildError(
                f"unknown house rule '{key}' (known: {', '.join(sorted(HOUSE_RULES))})"
                f"{did_you_mean(key, HOUSE_RULES)}",
                path,
                line,
            )
        if not isinstance(setting, bool):
            raise BuildError(
                f"house rule '{key}' must be true or false, got {setting!r}", path, line
            )
        if setting:
            on.add(str(key))
    return frozenset(on)


def check_format_options(options: dict[str, Any], path: Path, text: str, name: str) -> None:
    """Check the options under `format: <name>:`: the registry's format options with their
    values; an execution option is refused (both editions are woven from one run); another
    Quarto option is ignored with a warning; an unknown key is custom metadata."""
    check_document_keys(options, path, text, f"format: {name}")
    check_locations(options, path, text, f"format: {name}")
    known = quarto_schema()["document_options"]
    for key, value in options.items():
        line = _line_of(text, str(key)) or _line_of(text, name)
        option = _FORMAT_OPTIONS.get(key)
        if option is None and key in _HONOURED_EXECUTE:
            raise BuildError(
                f"'{key}' under format: {name} is not supported by this build: both editions "
                "are woven from one run of each chapter; set it under execute: or as a cell "
                "option",
                path,
                line,
            )
        if option is None:
            if key in known:
                log.warning(
                    "%s:%s: format: %s option '%s' is ignored by this build",
                    path,
                    line or 1,
                    name,
                    key,
                )
            continue
        if option.status == registry.REFUSED:
            raise BuildError(
                f"format: {name} option '{key}' is not supported by this build: {option.note}",
                path,
                line,
            )
        bad = not isinstance(value, option.types) or (
            bool not in option.types and isinstance(value, bool)
        )
        if bad or (option.allowed and isinstance(value, str) and value not in option.allowed):
            raise BuildError(
                f"format: {name} option '{key}' must be one of: {option.value_words()}; "
                f"got {value!r}",
                path,
                line,
            )
        if key == "toc" and value is False:
            log.warning(
                "%s:%s: format: %s option 'toc: false' is ignored by this build "
                "(its editions always have their contents)",
                path,
                line or 1,
                name,
            )


# Where footnotes and citations go: the words each may take (registry), checked wherever given.
LOCATIONS = ("reference-location", "citation-location")


def _unallowed(options: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of `keys` whose value in `options` is not one of its registry's words."""
    return next(
        (k for k in keys if k in options and options[k] not in _FORMAT_OPTIONS[k].allowed), None
    )


def check_locations(options: dict[str, Any], path: Path, text: str, where: str) -> None:
    """`reference-location` and `citation-location` hold one of their registry's words; a
    value Quarto has but this build does not render is refused at its line."""
    key = _unallowed(options, LOCATIONS)
    if key is not None:
        option = _FORMAT_OPTIONS[key]
        raise BuildError(
            f"'{key}: {options[key]}' in {where} is not supported by this build "
            f"(it takes: {', '.join(option.allowed)}): {option.note}",
            path,
            _line_of(text, key),
        )


def check_caption_locations(options: dict[str, Any], path: Path, text: str) -> None:
    """`fig-cap-location`, `tbl-cap-location` and `lst-cap-location` at the top level of
    `_quarto.yml` or of a chapter's front matter: top or bottom, else an error at its line."""
    key = _unallowed(options, CAPTION_KEYS)
    if key is not None:
        raise BuildError(
            f"'{key}' must be one of: {', '.join(_FORMAT_OPTIONS[key].allowed)}; "
            f"got {options[key]!r}",
            path,
            _line_of(text, key),
        )


def _margin_notes_on_paper(config: dict[str, Any], path: Path, text: str) -> None:
    """A warning that the PDF keeps its footnotes at the foot of the page."""
    formats = config.get("format") or {}
    typst = formats.get("typst") or formats.get("pdf") or {}
    if not isinstance(typst, dict) or not ("typst" in formats or "pdf" in formats):
        return
    if typst.get("reference-location", config.get("reference-location")) == "margin":
        log.warning(
            "%s:%s: reference-location: margin: the PDF keeps its footnotes at the foot of "
            "the page (Quarto's Typst sets them in a widened margin); the HTML pages show "
            "them in the margin",
            path,
            _line_of(text, "reference-location") or 1,
        )


def check_front_matter(options: dict[str, Any], path: Path, text: str) -> None:
    """Check a chapter's front matter (`text` is its raw block, starting on line 1); a
    `language:` file is read when the chapter is numbered (its folder is known then)."""
    check_document_keys(options, path, text, "front matter")
    check_locations(options, path, text, "front matter")
    if isinstance(options.get(language.KEY), dict):
        words = language.resolve(options[language.KEY], "", path, text, path.parent)
        language.warn_unprinted(words, path, text)
    check_caption_locations(options, path, text)
    processing = options.get("html-table-processing", "none")
    if processing != "none":
        raise BuildError(
            f"'html-table-processing' must be none; got {processing!r}",
            path,
            _line_of(text, "html-table-processing"),
        )
    if "execute" in options:
        check_execute(options["execute"], path, text)
    if "repo-actions" in options:
        actions_of(
            options["repo-actions"], "front matter option", path, _line_of(text, "repo-actions")
        )
    known = quarto_schema()["document_options"]
    for key in options:
        option = registry.at(registry.FRONT).get(key)
        if key == "format":
            _warn_chapter_formats(options[key], path, text)
        elif option is not None and option.status == registry.IGNORED:
            log.warning(
                "%s:%s: front matter option '%s' is ignored by this build: %s",
                path,
                _line_of(text, key) or 1,
                key,
                option.note,
            )
        elif key not in _HONOURED_FRONT_MATTER and key in known:
            log.warning(
                "%s:%s: front matter option '%s' is ignored by this build",
                path,
                _line_of(text, key) or 1,
                key,
            )


_EDITIONS = ("html", "typst", "pdf")


def _warn_chapter_formats(formats: Any, path: Path, text: str) -> None:
    """A chapter's `format:`. Naming formats is harmless (the book's formats decide what is
    written; Quarto too renders a book chapter only in the book's formats), but an option
    under `html:`, `typst:` or `pdf:` is one Quarto would apply to that chapter and this build
    applies book-wide only: each is warned about at its line."""
    if not isinstance(formats, dict):
        return
    for name, options in formats.items():
        if name not in _EDITIONS or not isinstance(options, dict):
            continue
        for key in options:
            log.warning(
                "%s:%s: front matter option 'format: %s: %s' is ignored by this build "
                "(format options apply to the whole book: set it in %s)",
                path,
                _line_of(text, str(key)) or _line_of(text, "format") or 1,
                name,
                key,
                CONFIG_NAME,
            )


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def refuse_url(name: str, key: str, path: Path, line: int | None) -> None:
    """Stop on a `bibliography:` or `csl:` that is a URL: the build reads local files only
    (it downloads nothing, so an edition does not depend on the network)."""
    if _URL.match(name):
        raise BuildError(
            f"{key}: '{name}' is a URL; this build reads local files only: download it into "
            "the project and name its path",
            path,
            line,
        )


def _front_file(root: Path, chapter: Path, name: Any, raw: str, key: str, what: str) -> Path:
    """One file a chapter's front matter names under `key:`, relative to the chapter's
    folder (as Quarto reads it), as a path from the project root; checked."""
    line = _entry_line(raw, str(name)) or _line_of(raw, key)
    if not isinstance(name, str) or not name.strip():
        raise BuildError(f"{key}: must be a file name or a list of file names", chapter, line)
    refuse_url(name, key, chapter, line)
    full = (root / chapter.parent / name).resolve()
    if not full.is_relative_to(root.resolve()):
        raise BuildError(f"{name} is outside the project; keep the {what} inside it", chapter, line)
    if not full.is_file():
        raise BuildError(f"{what} not found: {name} (relative to {chapter.name})", chapter, line)
    read_text(full)  # citeproc and the key check read it as UTF-8
    return full.relative_to(root.resolve())


def chapter_citing(
    root: Path, chapter: Path, front: dict[str, Any], raw: str
) -> tuple[tuple[Path, ...], Path | None]:
    """A chapter's own `bibliography:` files (a name or a list) and `csl:` style, as paths
    from the project root; a file missing, outside the project or not UTF-8 is an error at
    its front-matter line."""
    named = front.get("bibliography") or []
    files = tuple(
        dict.fromkeys(
            _front_file(root, chapter, n, raw, "bibliography", "bibliography")
            for n in (named if isinstance(named, list) else [named])
        )
    )
    csl = front.get("csl")
    style = None if csl is None else _front_file(root, chapter, csl, raw, "csl", "csl style file")
    return files, style


def _chapter_list(
    entries: Any, key: str, path: Path, text: str, appendix: bool
) -> list[ChapterRef]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise BuildError(f"book: {key}: must be a list of files", path, _line_of(text, key))
    refs: list[ChapterRef] = []
    for entry in entries:
        if isinstance(entry, str):
            refs.append(ChapterRef(Path(entry), None, appendix))
        elif isinstance(entry, dict) and "part" in entry:
            part = str(entry["part"])
            subs = entry.get("chapters") or []
            if not isinstance(subs, list):
                raise BuildError(
                    f"part '{part}': chapters: must be a list of files",
                    path,
                    _line_of(text, "part"),
                )
            for sub in subs:
                if not isinstance(sub, str):
                    raise BuildError(
                        f"part '{part}': chapters must be file names", path, _line_of(text, "part")
                    )
                refs.append(ChapterRef(Path(sub), part, appendix))
        else:
            raise BuildError(
                f"book: {key}: unsupported entry {entry!r} (use a file name or a part: group)",
                path,
                _line_of(text, key),
            )
    return refs


def _authors(value: Any, path: Path, text: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    names = []
    for author in items:
        if isinstance(author, dict):
            name = author.get("name")
            if isinstance(name, dict):  # Quarto's `name: {given:, family:}`
                name = " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
            if not name:
                raise BuildError(
                    "book: author: an entry has no name: (give each author a name)",
                    path,
                    _line_of(text, "author"),
                )
            names.append(str(name))
        else:
            names.append(str(author))
    return tuple(names)


def _output_dir(root: Path, value: Any, sources: list[Path], path: Path, text: str) -> Path:
    """The edition folder named by `project: output-dir:`, refused (before any work) when
    publishing there could replace anything the build did not create.

    It must be a folder of its own strictly inside the project: not the project root, not an
    ancestor of it or outside it, not a reserved folder (`RESERVED_DIRS`) nor inside one,
    and holding no source file (`_quarto.yml`, a chapter, the bibliography).
    """
    line = _line_of(text, "output-dir") or 1
    if not isinstance(value, str) or not value.strip():
        raise BuildError("project: output-dir: must be a folder name such as _book", path, line)
    output = (root / value).resolve()
    why = ""
    if output == root:
        why = "is the project folder itself"
    elif root.is_relative_to(output):
        why = "is a folder above the project"
    elif not output.is_relative_to(root):
        why = "is outside the project"
    else:
        reserved = [
            name
            for name in RESERVED_DIRS
            if output.is_relative_to(root / name) or (root / name).is_relative_to(output)
        ]
        held = [s for s in sources if (root / s).resolve().is_relative_to(output)]
        if reserved:
            why = f"is, holds or lies in {reserved[0]}/, which holds sources or build state"
        elif held:
            why = f"holds the source file {held[0]}"
    if why:
        raise BuildError(
            f"project: output-dir: '{value}' {why}; publishing would replace it "
            "— name a folder of its own inside the project, such as _book",
            path,
            line,
        )
    return output


def _build_block(config: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    """The `bookbuild:` block (empty when absent); the old top-level `house-rules:` is an
    error that says where it went."""
    if HOUSE_KEY in config:
        raise BuildError(
            f"'{HOUSE_KEY}:' is no longer a top-level key: move it into the build's own block, "
            f"as 'bookbuild: {HOUSE_KEY}:' (indented under 'bookbuild:')",
            path,
            _line_of(text, HOUSE_KEY),
        )
    value = config.get("bookbuild")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BuildError(
            f"bookbuild: must be a mapping (cell-timeout:, chapter-timeout:, {VERSIONS_KEY}:, "
            f"{HOUSE_KEY}:)",
            path,
            _line_of(text, "bookbuild"),
        )
    return value


def _build_options(value: dict[str, Any], path: Path, text: str) -> tuple[int, int | None]:
    """(cell time limit, chapter time limit) from the `bookbuild:` block."""
    for key, limit in value.items():
        line = _line_of(text, str(key)) or _line_of(text, "bookbuild")
        if key == HOUSE_KEY:
            continue  # checked by check_house_rules
        if key not in BUILD_OPTIONS:
            known = ", ".join(sorted({*BUILD_OPTIONS, HOUSE_KEY}))
            raise BuildError(f"bookbuild: unknown option '{key}' (known: {known})", path, line)
        if key in _LIMITS and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise BuildError(
                f"bookbuild: {key}: must be a whole number of seconds (1 or more), got {limit!r}",
                path,
                line,
            )
        if key in _TEXTS and not (isinstance(limit, str) and limit.strip()):
            raise BuildError(f"bookbuild: {key}: must be text, got {limit!r}", path, line)
    return value.get("cell-timeout", DEFAULT_CELL_TIMEOUT_S), value.get("chapter-timeout")


def _site_url(book: dict[str, Any], html: dict[str, Any], path: Path, text: str) -> str:
    """`book: site-url:` (text); `canonical-url: true` under format: html: without it is
    warned about, as Quarto builds the canonical link from it and writes none without."""
    url = book.get("site-url", "")
    if not isinstance(url, str):
        raise BuildError(
            f"book option 'site-url' must be the site's address (text), got {url!r}",
            path,
            _line_of(text, "site-url"),
        )
    if html.get("canonical-url") is True and not url:
        log.warning(
            "%s:%s: format: html option 'canonical-url: true' needs book: site-url: (the "
            "address the pages are published at); no canonical link is written",
            path,
            _line_of(text, "canonical-url") or 1,
        )
    return url


def _colophon_guide(root: Path, value: dict[str, Any], path: Path, text: str) -> Path | None:
    """`bookbuild: colophon-guide:`, a UTF-8 markdown file inside the project (or None)."""
    name = value.get("colophon-guide")
    if name is None:
        return None
    guide = Path(name)
    line = _line_of(text, "colophon-guide")
    if not (root / guide).resolve().is_relative_to(root):
        raise BuildError(
            f"{guide} is outside the project; keep the colophon guide inside it", path, line
        )
    if not (root / guide).is_file():
        raise BuildError(f"colophon guide not found: {guide}", path, line)
    read_text(root / guide)  # the colophon reads it as UTF-8
    return guide


def _recorded_packages(value: dict[str, Any], path: Path, text: str) -> tuple[str, ...]:
    """`bookbuild: record-versions:`, the book's own packages (names as pip knows them)."""
    names = value.get(VERSIONS_KEY, [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise BuildError(
            f"bookbuild: {VERSIONS_KEY}: must be a list of package names, got {names!r}",
            path,
            _line_of(text, VERSIONS_KEY),
        )
    return tuple(names)


def load_book(root: Path) -> Book:
    """Read and check `_quarto.yml` under `root`; every chapter file must exist."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.exists():
        raise BuildError(f"no {CONFIG_NAME} here: not a Quarto project", root)
    text = read_text(path)
    config = load_yaml(text, path) or {}
    if not isinstance(config, dict):
        raise BuildError("expected a mapping of options", path, 1)

    schema = quarto_schema()
    project = config.get("project") or {}
    if not isinstance(project, dict) or project.get("type") != "book":
        raise BuildError("project: type: must be 'book'", path, _line_of(text, "type") or 1)
    for key in project:
        if key not in schema["project_keys"]:
            raise BuildError(
                f"unknown project option '{key}' (not a Quarto option)"
                f"{did_you_mean(key, schema['project_keys'])}",
                path,
                _line_of(text, key),
            )
        if key not in _HONOURED_PROJECT:
            log.warning("%s: project option '%s' is ignored by this build", path.name, key)

    book = config.get("book")
    if not isinstance(book, dict):
        raise BuildError("missing 'book:' section", path, 1)
    for key in book:
        if key not in schema["book_keys"]:
            raise BuildError(
                f"unknown book option '{key}' (not a Quarto option)"
                f"{did_you_mean(key, schema['book_keys'])}",
                path,
                _line_of(text, key),
            )
        if key not in _HONOURED_BOOK:
            log.warning("%s: book option '%s' is ignored by this build", path.name, key)

    execute = config.get("execute") or {}
    check_execute(execute, path, text)

    formats = config.get("format") or {}
    if not isinstance(formats, dict):
        raise BuildError(
            "format: must be a mapping of formats (html:, typst: or pdf:)",
            path,
            _line_of(text, "format"),
        )
    unsupported = set(formats) - {"html", "typst", "pdf"}
    if unsupported:
        variant = any("+" in str(f) or "-" in str(f) for f in unsupported)
        raise BuildError(
            f"unsupported output format(s): {', '.join(sorted(unsupported))}"
            + (
                " (a format with Markdown extensions, html+ext, is not supported: this "
                "build reads Quarto's default Markdown)"
                if variant
                else ""
            ),
            path,
            _line_of(text, "format"),
        )
    html = formats.get("html") or {}
    pdf = formats.get("typst") or formats.get("pdf") or {}
    for name, options in (("html", html), ("typst", pdf)):
        if not isinstance(options, dict):
            raise BuildError(f"format: {name}: must be a mapping", path, _line_of(text, name))
        check_format_options(options, path, text, name)

    document = {k: v for k, v in config.items() if k not in _STRUCTURAL_KEYS}
    check_document_keys(document, path, text, CONFIG_NAME)
    if language.KEY in document:
        lang = str(document.get("lang", "en"))
        words = language.resolve(document[language.KEY], lang, path, text, root)
        language.warn_unprinted(words, path, text)
    for key in _UNCITED:
        if key in document:
            log.warning(
                "%s:%s: option '%s' is ignored by this build",
                path,
                _line_of(text, key) or 1,
                key,
            )
    check_locations(document, path, text, CONFIG_NAME)
    _margin_notes_on_paper(config, path, text)
    check_caption_locations(document, path, text)  # at the top level: for both editions

    chapters = _chapter_list(
        book.get("chapters"), "chapters", path, text, appendix=False
    ) + _chapter_list(book.get("appendices"), "appendices", path, text, appendix=True)
    if not chapters:
        raise BuildError("book: chapters: is empty", path, _line_of(text, "chapters"))
    seen: set[Path] = set()
    for ref in chapters:
        if ref.path.is_absolute() or not (root / ref.path).resolve().is_relative_to(root):
            raise BuildError(
                f"chapter {ref.path} is outside the project; chapters must be files inside it",
                path,
                _entry_line(text, str(ref.path)) or _line_of(text, "chapters"),
            )
        if not (root / ref.path).is_file():
            raise BuildError(
                f"chapter file not found: {ref.path}",
                path,
                _entry_line(text, str(ref.path)) or _line_of(text, "chapters"),
            )
        if ref.path in seen:
            lines = [
                n
                for n, line in enumerate(text.splitlines(), 1)
                if re.match(r"\s*-\s*['\"]?" + re.escape(str(ref.path)), line)
            ]
            raise BuildError(
                f"chapter listed twice: {ref.path}", path, lines[1] if len(lines) > 1 else None
            )
        seen.add(ref.path)

    bib = document.get("bibliography") or []
    bib_list = bib if isinstance(bib, list) else [bib]
    if not all(isinstance(b, str) for b in bib_list):
        raise BuildError(
            "bibliography: must be a file name or a list of file names",
            path,
            _line_of(text, "bibliography"),
        )
    for name in bib_list:
        refuse_url(name, "bibliography", path, _line_of(text, "bibliography"))
    csl = document.get("csl")
    if isinstance(csl, str):
        refuse_url(csl, "csl", path, _line_of(text, "csl"))
    bib_paths = tuple(Path(b) for b in bib_list)
    for named in (*bib_paths, *([Path(csl)] if isinstance(csl, str) else [])):
        if not (root / named).resolve().is_relative_to(root):
            raise BuildError(
                f"{named} is outside the project; keep the bibliography and style inside it",
                path,
                _line_of(text, "bibliography" if named in bib_paths else "csl"),
            )
    for bib_path in bib_paths:
        if not (root / bib_path).is_file():
            raise BuildError(
                f"bibliography not found: {bib_path}", path, _line_of(text, "bibliography")
            )
        read_text(root / bib_path)  # citeproc and the key check read it as UTF-8
    if csl is not None and (not isinstance(csl, str) or not (root / csl).is_file()):
        raise BuildError(f"csl style file not found: {csl}", path, _line_of(text, "csl"))
    sources = [
        Path(CONFIG_NAME),
        *(ref.path for ref in chapters),
        *bib_paths,
        *([Path(csl)] if csl else []),
    ]
    output_dir = _output_dir(root, project.get("output-dir", "_book"), sources, path, text)
    build_block = _build_block(config, path, text)
    cell_timeout, chapter_timeout = _build_options(build_block, path, text)
    from bookbuild.config.layout import read_layout  # it reads this module's helpers

    read_layout(config, text, path)  # the PDF's layout options are checked before any work
    page_includes.check(root, config, path, text)  # the includes' files, read before any work
    return Book(
        root=root,
        title=str(book.get("title", "")),
        subtitle=str(book.get("subtitle", "")),
        authors=_authors(book.get("author"), path, text),
        date=str(book.get("date", "")),
        chapters=tuple(chapters),
        bibliography=bib_paths,
        csl=Path(csl) if csl else None,
        lang=str(document.get("lang", "en")),
        execute=dict(execute),
        html=dict(html),
        pdf=dict(pdf),
        output_dir=output_dir,
        metadata=document,
        cell_timeout=cell_timeout,
        chapter_timeout=chapter_timeout,
        house_rules=check_house_rules(build_block.get(HOUSE_KEY), path, text),
        record_versions=_recorded_packages(build_block, path, text),
        checksums=Path(build_block.get("checksums", DEFAULT_CHECKSUMS)),
        checksums_update=str(build_block.get("checksums-update", "")),
        colophon_guide=_colophon_guide(root, build_block, path, text),
        site_url=_site_url(book, html, path, text),
        repo=load_repo(book, path, lambda key: _line_of(text, key)),
    )
