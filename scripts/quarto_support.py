"""Write `docs/quarto-support.md` from the option registry and the cross-reference kinds.

Run `python scripts/quarto_support.py` after changing `bookbuild/config/registry.py`,
`bookbuild/document/kinds.py`, or the smoke-test results in `tests/conformance/smoke-all.json`
(written by `make conformance`); `tests/test_registry.py` fails while the file is stale.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bookbuild.config import registry  # noqa: E402
from bookbuild.config.project import quarto_schema  # noqa: E402
from bookbuild.document import callouts, conditional, crossref, kinds, layout  # noqa: E402
from bookbuild.source import shortcodes  # noqa: E402
from bookbuild.writers import rewrites  # noqa: E402

TARGET = REPO / "docs" / "quarto-support.md"
RESULTS = REPO / "tests" / "conformance" / "smoke-all.json"
COMMAND = "python scripts/quarto_support.py"

# Quarto's names accepted at each level that the registry's table does not cover, and how the
# build treats them (the schema's list for the level, the message the check gives).
_UNLISTED = (
    (
        registry.CELL,
        "cell_options",
        "refused: \"cell option 'x' is not supported by this build (it is a Quarto option; "
        'remove it)"',
    ),
    (
        registry.EXECUTE,
        "cell_options",
        "refused: \"execute option 'x' is not supported by this build (it is a Quarto option; "
        'remove it)"',
    ),
    (
        registry.PROJECT,
        "project_keys",
        "ignored with a warning: \"project option 'x' is ignored by this build\"",
    ),
    (
        registry.BOOK,
        "book_keys",
        "ignored with a warning: \"book option 'x' is ignored by this build\"",
    ),
)


def _default(option: registry.Option) -> str:
    if option.default is None:
        return "—"
    if isinstance(option.default, bool):
        return "true" if option.default else "false"
    return str(option.default)


def _options_table(level: str) -> list[str]:
    rows = [
        "| option | other levels | values | default | status | difference / note |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, option in registry.at(level).items():
        others = ", ".join(x for x in option.levels if x != level) or "—"
        values = option.value_words() or "/".join(t.__name__ for t in option.types)
        rows.append(
            f"| `{name}` | {others} | {values} | {_default(option)} | {option.status} "
            f"| {option.note or '—'} |"
        )
    return rows


def _unlisted() -> list[str]:
    schema = quarto_schema()
    lines: list[str] = []
    for level, key, treatment in _UNLISTED:
        names = sorted(set(schema[key]) - set(registry.at(level)))
        lines += [
            f"**{level}** — {len(names)} other Quarto options, {treatment}:",
            "",
            ", ".join(f"`{n}`" for n in names),
            "",
        ]
    return lines


def _kinds() -> list[str]:
    rows = ["| prefix | name | carried by |", "| --- | --- | --- |"]
    rows += [f"| `{k.prefix}` | {k.name} | {k.element} |" for k in kinds.TABLE]
    proofs = ", ".join(f"`.{c}` ({t})" for c, t in kinds.PROOF_CLASSES.items())
    return [*rows, "", f"Unnumbered proof-like blocks: {proofs}.", ""]


def _code(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _blocks() -> list[str]:
    """Block and shortcode features, from the tables the stages that handle them keep."""
    prefixes = sorted({o.split("-")[0] for o in crossref.KIND_OPTIONS})
    return [
        "| feature | status | what this build does |",
        "| --- | --- | --- |",
        f"| shortcodes {_code(shortcodes.KNOWN)} | supported | resolved before parsing; an "
        "included file's lines keep their own file and line in errors |",
        f"| shortcodes {_code(shortcodes.UNSUPPORTED)} | refused | \"shortcode 'x' is a Quarto "
        'shortcode this build does not render" |',
        "| any other shortcode | refused | \"unknown shortcode 'x': not one of Quarto's\" |",
        f"| callouts `.callout-` {_code(callouts.CALLOUT_KINDS)} with {_code(callouts.OPTIONS)}"
        f" (appearance {_code(callouts.APPEARANCES)}) | supported | collapse folds in HTML; "
        "the PDF shows the body |",
        f"| conditional content {_code(conditional.FORMAT_KEYS)}, `.hidden` | supported | "
        "the editions are html and typst; pdf/latex content shows in the PDF only when the "
        "book declares `format: pdf:`; headings and cross-reference targets inside are "
        "numbered in the edition that shows them only, as Quarto numbers each format |",
        f"| conditional content {_code(conditional.META_KEYS)} | supported | true when the "
        "value at the dotted key (the chapter's front matter over `_quarto.yml`) is the "
        "boolean true, as in Quarto; decided before numbering, the same in both editions |",
        f"| conditional content {_code(conditional.UNSUPPORTED_KEYS)} | refused | "
        "\"conditional content with 'x' is not supported by this build (it has no "
        'profiles)" |',
        "| `.panel-tabset` | supported | tabs in HTML, one after another in the PDF |",
        f"| margin content {_code('.' + c for c in layout.MARGIN_CLASSES)} | supported | "
        "the margin in HTML; in the PDF a side note under its paragraph (a block) or a "
        "footnote (an inline `.aside`) |",
        f"| other article-layout columns ({len(layout.OTHER_COLUMNS)}, e.g. `.column-page`) | "
        "supported with a difference | shown at the body's width in both editions, with a "
        "warning naming the line (Quarto's HTML widens them; its PDF without a margin layout "
        "does as this build); the class stays on the element |",
        "| figure and table floats | supported | Quarto's HTML markup (`div.quarto-float > "
        "figure.quarto-float-fig`, `figcaption.quarto-float-caption`, `quarto-subfloat-*`); a "
        "`tbl-` div or image around any content is a Table, a `fig-` div around a table a "
        "Figure; a table keeps its caption as its `<caption>` (Quarto: a `figcaption`) |",
        "| subfigures (`layout-ncol`, `layout-nrow`, `layout`) taller than a page, in the PDF "
        "| supported with a difference | the rows are set narrower, their layout kept, to fit "
        f"{rewrites.FIT_SHARE:.0%} of the page's text height (a figure cannot break across "
        "pages: Typst, Quarto's too, would cut it off at the page's foot) |",
        "| doubled braces: ```` ```{{python}} ````, `` `{{python}} x` `` | supported | the cell "
        "shown, not run (```` ```{python} ```` and its code as a markdown code block; "
        "`` `{python} x` ``); inside code each escaped fence or inline cell loses one pair of "
        "braces, as Quarto's engine-escape filter does |",
        "| `.list-table` | supported | `header-rows`, `widths`, `aligns`, a caption paragraph "
        "(with `{tbl-colwidths=[...]}`); other attributes refused |",
        f"| `crossref:` `<prefix>-title`, `<prefix>-prefix`, `<prefix>-labels` for "
        f"{len(prefixes)} kinds | supported | names in captions and in references; the "
        "numbering scheme of the item's number (the chapter's stays arabic) |",
        "| `crossref: custom:` float kinds | supported | a `::: {#key-x}` div is a numbered "
        "float of the kind (its last paragraph the caption), `@key-x` shows the "
        "reference-prefix; `<key>-title`, `<key>-prefix`, `<key>-labels` as for the built-in "
        "kinds; HTML `figure.quarto-float-<key>`, in the PDF a figure kind of its own (in "
        "neither list); a bad entry is refused at its line. Quarto's filters put "
        "caption-prefix in references and reference-prefix in captions, the reverse of its "
        "documentation; this build does as the documentation says |",
        '| `crossref:` other options (`appendix-title`, …) | refused | "crossref '
        "option 'x' is not supported by this build\" |",
        "| `crossref:` in a chapter's front matter | supported | over the book's, for that "
        "chapter's numbering and references |",
        '| display equations `$$ ... $$ {#eq-x alt="..."}` | supported with a difference | '
        "numbered and referenced; `alt` is the equation's accessible name (`aria-label` in "
        "HTML, where Quarto's `span.math` holds MathML, not MathJax's markup; `alt` in the "
        "PDF); other "
        "attributes are warned about |",
        "| a heading that skips a level (`###` after `#`) | supported with a difference | "
        "numbered as Quarto numbers it (2.0.1); HTML keeps its level, the PDF sets it one "
        "below the heading before (an accessible PDF needs consecutive levels), with a "
        "warning |",
        "",
    ]


def _stops(run: dict) -> str:
    """Why a run's documents stopped: each message (its file and line cut), with a count."""
    reasons = Counter(
        re.sub(r"^error: \S+?:\d+: ", "", d["detail"]).split(" (")[0]
        for d in run["documents"].values()
        if d["outcome"] in ("refused", "unclear error")
    )
    return "; ".join(f"{text} ({n})" for text, n in reasons.most_common()) or "none"


def _heading(label: str, run: dict) -> str:
    """A run's column heading: its name, its documents and, for a sample, its seed."""
    about = f"{len(run['documents'])} documents"
    if "seed" in run:
        about += f", seed {run['seed']}"
    return f"{label} ({about})"


def _conformance() -> list[str]:
    if not RESULTS.exists():
        return [
            "Not yet run against Quarto's smoke tests (`make conformance "
            "QUARTO=<quarto-cli checkout>` writes the figures here).",
            "",
        ]
    data = json.loads(RESULTS.read_text("utf-8"))
    runs = data["runs"]
    lines = [
        f"Scope: {data['scope']}",
        "",
        f"Run against quarto-cli {data['quarto']}: {data['documents']} documents in scope. "
        "Outcomes: *right* (built, and the document's own `ensureHtmlElements` and "
        "`ensureFileRegexMatches` assertions hold), *built, unasserted* (built; the "
        "document asserts nothing about HTML), *refused* (stopped with a message naming "
        "the source file and line), *unclear error* (stopped without naming one), "
        "*ignored, warned* (built, Quarto's assertions fail, and the build warned that it "
        "ignores an option of the document: the detail in `tests/conformance/smoke-all.json` "
        "names it), *silently wrong* (built, Quarto's assertions fail, and the build said "
        "nothing; Quarto's assertions test Quarto's "
        "HTML class names, such as `quarto-float-caption`, so such a document may hold "
        "the right content in other markup).",
        "",
    ]
    if "held-out" in runs:
        sample = runs["held-out"]
        lines += [
            f"The held-out sample: {len(sample['documents'])} documents drawn at random "
            f"(seed {sample['seed']}) from the dated regression folders (`2022/` to "
            "`2026/`, one per Quarto issue) under the same scope rule, built the same way, "
            "as a measure of what an author's documents would meet (`make conformance "
            "QUARTO=... HELD_OUT=40`). Once a sample has been read, what it showed may have "
            "been mended (in general, each mend with a test of its own), so a fresh seed "
            "(`SEED=2027`) measures documents nobody looked at.",
            "",
        ]
    lines += [
        "| outcome | " + " | ".join(_heading(k, r) for k, r in runs.items()) + " |",
        "| --- |" + " --- |" * len(runs),
    ]
    outcomes = next(iter(runs.values()))["counts"]
    lines += [
        f"| {o} | " + " | ".join(str(r["counts"][o]) for r in runs.values()) + " |"
        for o in outcomes
    ]
    lines.append("")
    for label, run in runs.items():
        lines.append(f"Why documents stopped ({label}): {_stops(run)}.")
        lines.append("")
    return lines + _pdf_conformance(runs)


def _pdf_conformance(runs: dict) -> list[str]:
    """The PDF's outcomes per run (each document that built in HTML, built again as a PDF
    and judged against the HTML chapter), when the results hold them."""
    if not all("pdf" in run for run in runs.values()):
        return []
    lines = [
        "Each document that built in HTML is built again as a PDF and judged by its "
        "consistency with the HTML chapter (Quarto's own PDF assertions test LaTeX or "
        "Typst source, which this build does not share): *right* (the PDF's text, read "
        "by `pdftotext`, holds every word of the HTML chapter, but for what Quarto's PDF "
        "leaves out: content for other formats, raw HTML, tab buttons, folded code's "
        "summaries, footnote markers, math; and shows no source syntax the HTML does not, "
        "such as `{{<`, `:::`, `#|`, `@fig-`, `[@`, `{#` or raw Typst or HTML), *refused*, "
        "*unclear error* (stopped without naming a source file, or naming a generated "
        "one such as `thesis.typ`), *ignored, warned* (it differs, and the PDF build "
        "warned that it ignores something), *silently wrong* (it differs, unwarned: the "
        "missing words or shown syntax are in the detail).",
        "",
        "| PDF outcome | "
        + " | ".join(f"{k} ({len(r['pdf']['documents'])} built in HTML)" for k, r in runs.items())
        + " |",
        "| --- |" + " --- |" * len(runs),
    ]
    outcomes = next(iter(runs.values()))["pdf"]["counts"]
    lines += [
        f"| {o} | " + " | ".join(str(r["pdf"]["counts"][o]) for r in runs.values()) + " |"
        for o in outcomes
    ]
    lines.append("")
    for label, run in runs.items():
        lines.append(f"Why PDFs stopped ({label}): {_stops(run['pdf'])}.")
        lines.append("")
    return lines


def render() -> str:
    """The text of `docs/quarto-support.md`."""
    schema = quarto_schema()
    lines = [
        "# Quarto support",
        "",
        f"Generated by `{COMMAND}` from `bookbuild/config/registry.py` and "
        "`bookbuild/document/kinds.py`; do not edit by hand.",
        "",
        "Statuses: **supported** (as Quarto does it), **supported with a difference** (named), "
        "**ignored with a warning** (named in the build's output), **refused** (the build "
        "stops with the message, naming the file and line).",
        "",
        "A key Quarto's schema does not know is, as a cell, `execute:`, project or book "
        'option, refused as "not a Quarto option" (with "did you mean"); as a document '
        f"option it is kept as custom metadata, as Quarto keeps it. Schema snapshot: "
        f"{schema['about'].split('.')[0]}.",
        "",
    ]
    titles = {
        registry.CELL: "Cell options (`#|`)",
        registry.EXECUTE: "`execute:` (in `_quarto.yml` or a chapter's front matter)",
        registry.FRONT: "A chapter's front matter",
        registry.FORMAT: "`format: html:` and `format: typst:` (or `pdf:`), per edition",
        registry.PROJECT: "`project:`",
        registry.BOOK: "`book:`",
        registry.BUILD: "`bookbuild:` (this build's own)",
        registry.HOUSE: "`bookbuild: house-rules:` (this build's own)",
        registry.TYPST: "`format: typst:` (the PDF's page)",
        registry.LAYOUT: "`thesis: layout:` (the PDF's page, this build's own)",
        registry.CROSSREF: "`crossref:` (in `_quarto.yml` or a chapter's front matter)",
        registry.CUSTOM: "`crossref: custom:` (each entry: a float kind of the book's own)",
    }
    for level in registry.LEVELS:
        lines += [f"## {titles[level]}", "", *_options_table(level), ""]
    lines += [
        "Other Quarto document options in a chapter's front matter are ignored with a "
        "warning (\"front matter option 'x' is ignored by this build\").",
        "",
        "## Quarto options this build does not take",
        "",
        *_unlisted(),
        "## Block features and shortcodes",
        "",
        *_blocks(),
        "## Cross-reference kinds",
        "",
        *_kinds(),
        "## Conformance with Quarto's smoke tests",
        "",
        *_conformance(),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    TARGET.write_text(render(), "utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
