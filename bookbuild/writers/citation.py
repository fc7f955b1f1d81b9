"""What the HTML edition tells scholarly indexers and readers about the thesis as a work:
`citation_*` meta tags (Highwire Press tags, read by Google Scholar) and schema.org JSON-LD in
the first page's head, and on the page itself the licence, the PDF download and a "cite
this thesis" block with a text citation and a BibTeX entry.

All of it comes from the thesis front matter (`config/thesis.py`), so the PDF's title page,
its metadata and these agree. The PDF link is given when the book lists `pdf` in Quarto's
`book: downloads:`.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from typing import Any

from bookbuild.config.project import Book, load_yaml
from bookbuild.config.thesis import Thesis
from bookbuild.writers.typography import smart_text

PDF_NAME = "thesis.pdf"  # what commands/build.py writes beside the pages


def pdf_download(book: Book) -> bool:
    """Whether the book offers its PDF for download (`book: downloads: [pdf]`)."""
    config = load_yaml(book.config_path.read_text("utf-8"), book.config_path) or {}
    downloads = (config.get("book") or {}).get("downloads") or []
    downloads = downloads if isinstance(downloads, list) else [downloads]
    return "pdf" in {str(d).lower() for d in downloads}


def full_title(book: Book) -> str:
    return f"{book.title}: {book.subtitle}" if book.subtitle else book.title


def _keywords(book: Book) -> list[str]:
    keywords = book.metadata.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",")]
    return [str(k) for k in keywords if str(k).strip()]


def head_meta(book: Book, thesis: Thesis, pdf: bool) -> str:
    """The `citation_*` meta tags and the JSON-LD description of the thesis."""
    tags = [
        ("citation_title", full_title(book)),
        ("citation_author", thesis.author),
        ("citation_publication_date", thesis.date),
        ("citation_dissertation_institution", thesis.institution),
        ("citation_language", book.lang),
    ]
    if _keywords(book):
        tags.append(("citation_keywords", "; ".join(_keywords(book))))
    if pdf:
        tags.append(("citation_pdf_url", PDF_NAME))
    lines = [f'<meta name="{name}" content="{html.escape(value)}">' for name, value in tags]
    if thesis.licence_url:
        lines.append(f'<link rel="license" href="{html.escape(thesis.licence_url)}">')
    lines.append(
        '<script type="application/ld+json">'
        + json.dumps(json_ld(book, thesis, pdf), ensure_ascii=False, indent=None).replace(
            "</", "<\\/"
        )
        + "</script>"
    )
    return "\n".join(lines)


def json_ld(book: Book, thesis: Thesis, pdf: bool) -> dict[str, Any]:
    """The thesis as a schema.org `Thesis`."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Thesis",
        "name": book.title,
        "author": {"@type": "Person", "name": thesis.author},
        "sourceOrganization": {
            "@type": "CollegeOrUniversity",
            "name": thesis.institution,
            "department": {"@type": "Organization", "name": thesis.faculty},
        },
        "inSupportOf": thesis.degree,
        "contributor": [
            {"@type": "Person", "name": name, "roleName": "supervisor"}
            for name in thesis.supervisors
        ],
        "datePublished": thesis.date,
        "inLanguage": book.lang,
        "license": thesis.licence_url or thesis.licence,
    }
    if book.subtitle:
        data["alternativeHeadline"] = book.subtitle
    if _keywords(book):
        data["keywords"] = _keywords(book)
    if pdf:
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": PDF_NAME,
            "encodingFormat": "application/pdf",
        }
    return data


def _bibtex_escape(text: str) -> str:
    text = text.replace("\\", "").replace("{", "").replace("}", "")
    return re.sub(r"([&%$#_])", r"\\\1", text)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z]+", folded)
    return words[-1].lower() if words else "thesis"


def bibtex(book: Book, thesis: Thesis) -> str:
    """A BibTeX entry: `@mastersthesis`, `@phdthesis` or (biblatex) `@thesis` by its kind."""
    kind = thesis.kind.lower()
    entry = (
        "mastersthesis"
        if "master" in kind
        else "phdthesis"
        if "doctor" in kind or "phd" in kind
        else "thesis"
    )
    first_word = re.findall(r"[A-Za-z]+", book.title)
    key = f"{_ascii_word(thesis.author)}{thesis.year}{first_word[0].lower() if first_word else ''}"
    fields = [
        ("author", thesis.author),
        ("title", full_title(book)),
        ("school", thesis.institution),
        ("year", thesis.year),
    ]
    if entry == "thesis":
        fields.append(("type", thesis.kind))
    fields.append(("note", f"{thesis.faculty}; degree of {thesis.degree}"))
    body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields)
    return f"@{entry}{{{key},\n{body}\n}}"


def text_citation(book: Book, thesis: Thesis) -> str:
    """The thesis cited in the author–date style of the bibliography, as HTML."""
    title = html.escape(smart_text(full_title(book)))
    return (
        f"{html.escape(smart_text(thesis.author))} ({html.escape(thesis.year)}). "
        f"<i>{title}</i> [{html.escape(smart_text(thesis.kind))}, "
        f"{html.escape(smart_text(thesis.institution))}]."
    )


def reader_block(book: Book, thesis: Thesis, pdf: bool) -> str:
    """Licence, PDF download and "cite this thesis", shown under the title on the first page."""
    licence = html.escape(smart_text(thesis.licence))
    if thesis.licence_url:
        licence = f'<a rel="license" href="{html.escape(thesis.licence_url)}">{licence}</a>'
    lines = ['<div class="work-info">', f'<p class="licence">Licence: {licence}</p>']
    if pdf:
        lines.append(
            f'<p class="pdf-link"><a href="{PDF_NAME}" type="application/pdf">'
            "Download the thesis as PDF</a></p>"
        )
    lines += [
        '<details class="cite-this">',
        "<summary>Cite this thesis</summary>",
        f'<p class="cite-text">{text_citation(book, thesis)}</p>',
        '<p class="cite-label">BibTeX</p>',
        f'<pre class="cite-bibtex"><code>{html.escape(bibtex(book, thesis))}</code></pre>',
        "</details>",
        "</div>",
    ]
    return "\n".join(lines)
