"""Quarto's `language:` option: the words the build prints itself (callout titles,
cross-reference names, the contents' titles, the code fold's summary), replaced by the book's
`_quarto.yml` or a chapter's front matter.

`language:` is a mapping of Quarto's language keys (its `_language.yml`), or the name of a YAML
file holding one (relative to the file that names it; `custom-fr.yml` beside `custom.yml` is
read too for `lang: fr`, as Quarto does). A key that is a language tag (`fr:`, `en-GB:`) holds
keys for that language only: it applies when the book's `lang:` starts with it. A chapter's
keys go over the book's. Quarto's `crossref-<kind>-title` and `crossref-<kind>-prefix` apply
to every kind, the book's own ones included. `crossref:` options win over these (as in Quarto).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

KEY = "language"
# Quarto's language keys (`src/resources/language/_language.yml`, quarto-cli 5d1da592d).
QUARTO_KEYS = frozenset(
    """
    toc-title-document toc-title-website related-formats-title related-notebooks-title
    source-notebooks-prefix other-links-title code-links-title launch-dev-container-title
    launch-binder-title article-notebook-label notebook-preview-download
    notebook-preview-download-src notebook-preview-back manuscript-meca-bundle
    section-title-abstract section-title-appendices section-title-footnotes
    section-title-references section-title-reuse section-title-copyright
    section-title-citation appendix-attribution-cite-as appendix-attribution-bibtex
    appendix-view-license title-block-author-single title-block-author-plural
    title-block-affiliation-single title-block-affiliation-plural title-block-published
    title-block-modified title-block-keywords callout-tip-title callout-note-title
    callout-warning-title callout-important-title callout-caution-title code-summary
    code-tools-menu-caption code-tools-show-all-code code-tools-hide-all-code
    code-tools-view-source code-tools-source-code tools-share tools-download code-line
    code-lines copy-button-tooltip copy-button-tooltip-success repo-action-links-edit
    repo-action-links-source repo-action-links-issue back-to-top toggle-section
    toggle-sidebar toggle-dark-mode toggle-reader-mode toggle-navigation
    crossref-fig-title crossref-tbl-title crossref-lst-title crossref-thm-title
    crossref-lem-title crossref-cor-title crossref-prp-title crossref-cnj-title
    crossref-def-title crossref-exm-title crossref-exr-title crossref-ch-prefix
    crossref-apx-prefix crossref-sec-prefix crossref-eq-prefix crossref-lof-title
    crossref-lot-title crossref-lol-title environment-proof-title environment-remark-title
    environment-solution-title listing-page-order-by listing-page-order-by-default
    listing-page-order-by-date-asc listing-page-order-by-date-desc
    listing-page-order-by-number-desc listing-page-order-by-number-asc
    listing-page-field-date listing-page-field-title listing-page-field-description
    listing-page-field-author listing-page-field-filename listing-page-field-filemodified
    listing-page-field-subtitle listing-page-field-readingtime listing-page-field-wordcount
    listing-page-words listing-page-field-categories listing-page-minutes-compact
    listing-page-category-all listing-page-no-matches listing-page-filter
    search-no-results-text search-matching-documents-text search-copy-link-title
    search-hide-matches-text
    search-more-match-text search-more-matches-text search-clear-button-title
    search-text-placeholder search-detached-cancel-button-title search-submit-button-title
    search-label draft
    """.split()  # noqa: SIM905 (a list literal would take a line a key)
)
# Quarto is lenient with these: every kind has them, a book's own kinds too.
CROSSREF_WORD = re.compile(r"crossref-([a-z][a-z0-9]*)-(title|prefix)")
_CALLOUTS = ("note", "tip", "warning", "important", "caution")
_TAG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*")
# The keys naming text this build prints, and where (the registry's note lists them).
PRINTED = {
    **{f"callout-{k}-title": "an untitled callout's title" for k in _CALLOUTS},
    "crossref-ch-prefix": "a reference to a chapter",
    "crossref-apx-prefix": "a reference to an appendix",
    "crossref-lof-title": "the PDF's list of figures",
    "crossref-lot-title": "the PDF's list of tables",
    "environment-proof-title": "a proof's title",
    "environment-remark-title": "a remark's title",
    "environment-solution-title": "a solution's title",
    "code-summary": "a folded cell's summary (HTML)",
    "toc-title-website": 'the HTML page\'s "On this page" title',
    "toc-title-document": "the PDF's table of contents' title",
    "code-tools-source-code": "the repository link's label (HTML, book: repo-url:)",
    "repo-action-links-edit": 'a page\'s "Edit this page" link (HTML)',
    "repo-action-links-source": 'a page\'s "View source" link (HTML)',
    "repo-action-links-issue": 'a page\'s "Report an issue" link (HTML)',
}


def printed(key: str) -> bool:
    """Whether this build prints the text `key` names."""
    return key in PRINTED or (CROSSREF_WORD.fullmatch(key) is not None and key not in _UNPRINTED)


# Quarto's crossref words this build does not print (it has no list of listings).
_UNPRINTED = frozenset({"crossref-lol-title"})


def _line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


def _is_word(key: str) -> bool:
    return key in QUARTO_KEYS or CROSSREF_WORD.fullmatch(key) is not None


def _flat(
    value: dict[Any, Any], lang: str, path: Path, text: str, nested: bool = False
) -> dict[str, str]:
    """The words of one `language:` mapping for `lang`: its own keys, then those of each
    language tag `lang` starts with (the most general first)."""
    from bookbuild.config.project import did_you_mean  # project.py imports this module

    words: dict[str, str] = {}
    tags: dict[str, dict[Any, Any]] = {}
    for key, word in value.items():
        key = str(key)
        line = _line(text, key)
        if isinstance(word, dict) and not nested and _TAG.fullmatch(key) and not _is_word(key):
            tags[key.lower()] = word
        elif not _is_word(key):
            raise BuildError(
                f"language: '{key}' is not a Quarto language key{did_you_mean(key, QUARTO_KEYS)}",
                path,
                line,
            )
        elif not isinstance(word, (str, int, float)) or isinstance(word, bool):
            raise BuildError(f"language: '{key}' must be text, got {word!r}", path, line)
        else:
            words[key] = str(word)
    subtags = lang.lower().split("-")
    for n in range(1, len(subtags) + 1):
        tag = "-".join(subtags[:n])
        if tag in tags:
            words.update(_flat(tags[tag], lang, path, text, nested=True))
    return words


@lru_cache(maxsize=64)
def _file_words(full: Path, lang: str, mtime: float) -> tuple[tuple[str, str], ...]:
    """The words of a language file, with its variations for `lang` (`custom-fr.yml`)."""
    from bookbuild.config.project import load_yaml, read_text

    words: dict[str, str] = {}
    subtags = lang.lower().split("-")
    names = [full] + [
        full.with_name(f"{full.stem}-{'-'.join(subtags[:n])}{full.suffix}")
        for n in range(1, len(subtags) + 1)
    ]
    for name in names:
        if name != full and not name.is_file():
            continue
        text = read_text(name)
        loaded = load_yaml(text, name) or {}
        if not isinstance(loaded, dict):
            raise BuildError("a language file must be a mapping of language keys", name, 1)
        words.update(_flat(loaded, lang, name, text))
    return tuple(words.items())


def resolve(value: Any, lang: str, path: Path, text: str, base: Path) -> dict[str, str]:
    """The words `language: value` gives for `lang` (`path`/`text`: the file that says it,
    for errors; `base`: the folder a file name is relative to). Errors name the key's line."""
    if value is None:
        return {}
    line = _line(text, KEY)
    if isinstance(value, str):
        full = (base / value).resolve()
        if not full.is_file():
            raise BuildError(f"language file not found: {value}", path, line)
        return dict(_file_words(full, lang, full.stat().st_mtime))
    if not isinstance(value, dict):
        raise BuildError(
            "language: must be a mapping of Quarto language keys or a file's name", path, line
        )
    return _flat(value, lang, path, text)


def warn_unprinted(words: dict[str, str], path: Path, text: str) -> None:
    """A warning for each key naming text this build does not print (it has no such text)."""
    for key in words:
        if not printed(key):
            log.warning(
                "%s:%s: language key '%s' is ignored: this build does not print that text",
                path,
                _line(text, key) or _line(text, KEY) or 1,
                key,
            )


def chapter_words(root: Path | None, meta: dict[str, Any], chapter: Path) -> dict[str, str]:
    """A chapter's words: `_quarto.yml`'s `language:`, its front matter's over them.
    `meta`: the chapter's front matter over `_quarto.yml` (`Chapter.meta`); `root`: the
    project's folder (None: the front matter alone, relative to the working folder)."""
    from bookbuild.config.project import CONFIG_NAME, load_yaml

    config_path = (root or Path()) / CONFIG_NAME
    config_text = config_path.read_text("utf-8") if root and config_path.is_file() else ""
    config = load_yaml(config_text, Path(CONFIG_NAME)) or {}
    lang = str(config.get("lang", "en"))  # a chapter's own `lang:` is ignored by this build
    base = root or Path()
    words = resolve(config.get(KEY), lang, Path(CONFIG_NAME), config_text, base)
    own = meta.get(KEY)
    if own is not None and own != config.get(KEY):
        source = (base / chapter).read_text("utf-8") if (base / chapter).is_file() else ""
        words = {**words, **resolve(own, lang, chapter, source, base / chapter.parent)}
    return words


def book_words(root: Path) -> dict[str, str]:
    """The words of `_quarto.yml`'s `language:` (the PDF's contents and lists' titles)."""
    return chapter_words(root, {}, Path())


def named_files(root: Path, metas: list[tuple[Path, dict[str, Any]]]) -> list[Path]:
    """Every language file `_quarto.yml` and the chapters (`metas`: path and front matter)
    name, with the variations for a language tag that are there (`custom-fr.yml`), from the
    root: the edition key covers them."""
    from bookbuild.config.project import CONFIG_NAME, load_yaml

    config = load_yaml((root / CONFIG_NAME).read_text("utf-8"), Path(CONFIG_NAME)) or {}
    named = [(Path(), config.get(KEY))] + [(c.parent, m.get(KEY)) for c, m in metas]
    found: list[Path] = []
    for folder, value in named:
        if isinstance(value, str):
            full = folder / value
            found.append(full)
            found += sorted(
                p.relative_to(root)
                for p in (root / full.parent).glob(f"{full.stem}-*{full.suffix}")
            )
    return found
