"""Turn a chapter's executed notebook back into Pandoc markdown.

Cells are replaced by what they show: code (when echoed; `echo: fenced`, `code-fold`), figures
written to `figures/` as SVG or PNG with the data behind them as CSV, DataFrames as captioned
tables, rich displays chosen by MIME type (`display.py`), text output as output blocks. The
`figures-labelled` house rule (`strict`) requires a label, caption and alt text on figures;
without it Quarto's defaults apply. Inline expressions become their values, escaped so they
can never become markup. Each figure, table and inline value is recorded as a provenance item.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from bookbuild.document.provenance import ProvenanceItem
from bookbuild.errors import BuildError
from bookbuild.execute import display
from bookbuild.execute.kernel import MarkdownValue, effective_options, inline_values
from bookbuild.source.markdown_text import attribute, escape, pipe_table
from bookbuild.source.qmd import _INLINE, Cell, Document, Markdown, find_inlines, prose_lines
from bookbuild.state.store import sha256

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LEGIBLE_TEXT_PX = 9.0
"""The smallest text a figure may show in the HTML edition, in CSS px (legible on a phone)."""
_VIEWBOX = re.compile(rb'<svg\b[^>]*\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)')
_FONT_SIZE = re.compile(rb'font-size(?::\s*|="\s*)([\d.]+)(?:px)?\s*[;"]')


@dataclass
class Woven:
    """A chapter ready for Pandoc, with the files it produced and what produced them."""

    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    items: list[ProvenanceItem] = field(default_factory=list)
    inputs: dict[str, str | None] = field(default_factory=dict)  # files read -> SHA-256
    unlabelled: int = 0  # unlabelled figures so far (they are named by this count)


def disclosure(
    doc: Document,
    line: int,
    code: str,
    inputs: dict[str, str | None],
    downloads: list[tuple[str, str]],
) -> str:
    """An HTML "Data and code" block: the producing call, inputs with checksums, downloads."""
    source, line = doc.origin(line)  # an included file's own line
    rows = "".join(
        f'<li><code>{html.escape(path)}</code> <span class="sha256">SHA-256 '
        f"<code>{html.escape(str(digest))}</code></span></li>"
        for path, digest in sorted(inputs.items())
    )
    links = " · ".join(
        f'<a href="{html.escape(href)}" download>{html.escape(text)}</a>'
        for href, text in downloads
    )
    parts = [
        '<details class="provenance"><summary>Data and code</summary>',
        f"<p>Produced in <code>{html.escape(str(source))}</code>, line {line}, by:</p>",
        f'<pre class="provenance-code"><code>{html.escape(code)}</code></pre>',
        f"<p>Files this chapter read:</p><ul>{rows}</ul>"
        if rows
        else "<p>This chapter read no data files.</p>",
        f"<p>Download: {links}</p>" if links else "",
        "</details>",
    ]
    return "\n```{=html}\n" + "\n".join(p for p in parts if p) + "\n```\n"


def table_csv(table: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table["columns"])
    writer.writerows(table["rows"])
    return buffer.getvalue().encode("utf-8")


def _outputs_by_block(nb: nbformat.NotebookNode) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for cell in nb.cells:
        meta = cell.metadata["bookbuild"]
        if meta["kind"] == "cell":
            found[meta["block"]] = list(cell.get("outputs", []))
    return found


def _inline_text(value: str) -> str:
    """An inline value as markdown: escaped text, or a Markdown value as it is (on one line)."""
    if isinstance(value, MarkdownValue):  # line breaks collapsed; no-break spaces kept
        return re.sub(r"[ \t\r\n]+", " ", value).strip()
    return escape(value)


def replace_inlines(text: str, values: list[str]) -> str:
    """Replace each inline `{python}` span outside code fences by its escaped value (a
    Markdown value, `MarkdownValue`, goes in as markup, as in Quarto)."""
    queue = iter(values)
    return "".join(
        _INLINE.sub(lambda _m: _inline_text(next(queue)), line) if prose else line
        for _offset, line, prose in prose_lines(text)
    )


def _text(output: dict[str, Any]) -> str:
    if output["output_type"] == "stream":
        return _ANSI.sub("", output["text"])
    if output["output_type"] == "error":
        return _ANSI.sub("", "\n".join(output.get("traceback", [])))
    return str(output.get("data", {}).get("text/plain", ""))


def _code_block(text: str, classes: str) -> str:
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {{{classes}}}\n{text.rstrip()}\n{fence}\n"


def _echo(cell: Cell, options: dict[str, Any]) -> str:
    """The echoed code: the cell itself with its fence for `echo: fenced`; folded in HTML
    under `code-fold` (true: closed, "show": open; the PDF shows it unfolded, as Quarto)."""
    listing = str(options.get("lst-label") or "")
    if listing:  # `lst-label`: the code is a numbered listing, as in Quarto
        cap = options.get("lst-cap")
        listing = f"#{listing} " + (f"lst-cap={attribute(str(cap))} " if cap else "")
    if options["echo"] == "fenced":
        code = _code_block(cell.raw.rstrip("\n"), listing + ".markdown .cell-code")
    else:
        code = _code_block(cell.code, listing + ".python .cell-code")
    fold = options.get("code-fold", False)
    if fold is False:
        return code
    summary = html.escape(str(options.get("code-summary", "Code")))
    opened = " open" if fold == "show" else ""
    return (
        f'```{{=html}}\n<details class="code-fold"{opened}><summary>{summary}</summary>\n'
        f"```\n\n{code}\n```{{=html}}\n</details>\n```\n"
    )


def _distinct_figures(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Image outputs, without repeats: a returned Figure is also shown by the inline backend."""
    seen: set[str] = set()
    found = []
    for output in outputs:
        data = output.get("data", {})
        image = data.get("image/svg+xml") or data.get("image/png")
        if image is None:
            continue
        key = image if isinstance(image, str) else "".join(image)
        if key not in seen:
            seen.add(key)
            found.append(output)
    return found


def weave_cell(
    cell: Cell,
    outputs: list[dict[str, Any]],
    options: dict[str, Any],
    doc: Document,
    woven: Woven,
    strict: bool = False,
) -> str:
    """Markdown for one cell: echoed code, then its outputs as the options ask."""
    if not options["include"]:
        return ""
    parts: list[str] = []
    if options["echo"]:
        parts.append(_echo(cell, options))
    if options["output"] is False:
        return "\n".join(parts)
    label = str(options.get("label", ""))
    figures = _distinct_figures(outputs)
    if label.startswith("fig-") and not figures:
        raise BuildError(
            f"cell '{label}' is labelled as a figure but shows no figure", doc.path, cell.line
        )
    # several plots of a labelled cell (or any with fig-subcap): one figure's subfigures;
    # an unlabelled cell's plots are shown one after another, as Quarto does
    subcaps = options.get("fig-subcap") not in (None, False)
    subfigures = subcaps or (len(figures) > 1 and label.startswith("fig-"))
    if subfigures and figures:
        parts.append(_subfigures(cell, figures, label, options, doc, woven, strict))
    for output in outputs:
        kind = output["output_type"]
        data = output.get("data", {})
        if kind == "stream" and output.get("name") == "stderr":
            if options["warning"]:
                parts.append(_code_block(_text(output), ".cell-output-stderr"))
        elif kind == "stream":
            text = _text(output)
            parts.append(text if options["output"] == "asis" else _code_block(text, ".cell-output"))
        elif kind == "error":
            parts.append(_code_block(_text(output), ".cell-output-error"))
        elif output in figures and subfigures:
            continue  # shown above, as the subfigures of one figure
        elif output in figures:
            parts.append(_figure(cell, data, label, options, doc, woven, strict))
        elif "image/svg+xml" in data or "image/png" in data:
            continue  # a repeat of a figure already shown
        elif "application/json" in data and {"columns", "rows"} <= set(data["application/json"]):
            parts.append(_table(cell, data["application/json"], label, options, doc, woven))
        elif "text/markdown" in data:
            parts.append(
                display.markdown_output(
                    display.joined(data["text/markdown"]),
                    str(options.get("tbl-cap") or ""),
                    label if label.startswith("tbl-") else "",
                    doc,
                    cell,
                )
            )
        elif "text/html" in data:
            parts.append(_html(cell, display.joined(data["text/html"]), label, options, doc, woven))
        elif "text/latex" in data and display.latex_math(display.joined(data["text/latex"])):
            parts.append(display.latex_math(display.joined(data["text/latex"])) or "")
        elif (
            "text/plain" in data
            and output["output_type"] == "execute_result"
            and label.startswith("fig-")
            and data["text/plain"].startswith("<Figure")
        ):
            continue  # the repr of a returned Figure, shown as the figure itself
        elif "text/plain" in data:
            text = _text(output)
            display.reject_repr(text, doc, cell)
            parts.append(text if options["output"] == "asis" else _code_block(text, ".cell-output"))
    if options.get("tbl-colwidths") is not None and not any("tbl-colwidths=" in p for p in parts):
        raise BuildError(
            "cell option 'tbl-colwidths' sets the widths of a table the cell shows (a "
            "DataFrame, an HTML table), but this cell shows none: remove it",
            doc.path,
            cell.line,
        )
    return "\n".join(parts)


def _figure_problem(label: str, options: dict[str, Any], strict: bool) -> str | None:
    """What a figure cell lacks under the `figures-labelled` house rule, or None."""
    if not strict:
        return None
    if not label.startswith("fig-"):
        return "needs '#| label: fig-...', 'fig-cap' and 'fig-alt'"
    for option in ("fig-cap", "fig-alt"):
        if not options.get(option):
            return f"'{label}' has no {option}"
    return None


def _figure_path(doc: Document, label: str, extension: str, woven: Woven) -> str:
    """Where a figure is written: its label, or for an unlabelled one the chapter and a count."""
    if label:
        return f"figures/{label}.{extension}"
    woven.unlabelled += 1
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", str(doc.path.with_suffix("")))
    return f"figures/{stem}-figure-{woven.unlabelled}.{extension}"


def _check_figure(
    cell: Cell, label: str, options: dict[str, Any], doc: Document, strict: bool
) -> None:
    """The house rule's and a numbered figure's requirements of a figure cell."""
    problem = _figure_problem(label, options, strict)
    if problem:
        raise BuildError(
            f"figure {problem}: this thesis's house rule is that every figure "
            "cell has a label, a caption and alt text (turn it off with "
            "'bookbuild: house-rules: figures-labelled: false' in _quarto.yml)",
            doc.path,
            cell.line,
        )
    if label.startswith("fig-") and not options.get("fig-cap"):
        raise BuildError(
            f"figure '{label}' has no fig-cap: a cross-referenced figure needs "
            "a caption in this build (add '#| fig-cap: ...' or drop the label)",
            doc.path,
            cell.line,
        )


def legible_width(svg: bytes) -> int | None:
    """The narrowest width, in CSS px, at which an SVG's smallest text is `LEGIBLE_TEXT_PX`
    tall (its font sizes in user units, scaled by the shown width over the viewBox's); None
    for an SVG without a viewBox or without sized text."""
    box, sizes = _VIEWBOX.search(svg), [float(m) for m in _FONT_SIZE.findall(svg)]
    smallest = min((size for size in sizes if size > 0), default=0.0)
    if not box or not smallest:
        return None
    return math.ceil(LEGIBLE_TEXT_PX * float(box[1]) / smallest)


def _width_attribute(path: str, woven: Woven) -> str:
    """` legible-width=N` for an SVG figure with text (the HTML edition's minimum width)."""
    width = legible_width(woven.files[path]) if path.endswith(".svg") else None
    return f" legible-width={width}" if width else ""


def _save_image(
    cell: Cell, data: dict[str, Any], label: str, doc: Document, woven: Woven, stem: str = ""
) -> tuple[str, list[tuple[str, str]]]:
    """Write one figure output (and its plotted data) into the woven files; return its path
    and the downloads the "Data and code" block offers. `stem`: the file's name instead of
    the label's (a subfigure's)."""
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        image, extension = (svg if isinstance(svg, str) else "".join(svg)).encode("utf-8"), "svg"
    else:
        png = data["image/png"]
        image = base64.b64decode(png if isinstance(png, str) else "".join(png))
        extension = "png"
    path = _figure_path(doc, stem or label, extension, woven)
    woven.files[path] = image
    item: ProvenanceItem = {
        "kind": "figure",
        "label": stem or label,
        "line": cell.line,
        "code": cell.code,
        "file": path,
        "sha256": sha256(image),
    }
    if "text/csv" in data:
        csv_bytes = str(data["text/csv"]).encode("utf-8")
        item["data_file"] = str(Path(path).with_suffix(".csv"))
        woven.files[item["data_file"]] = csv_bytes
        item["data_sha256"] = sha256(csv_bytes)
    woven.items.append(item)
    downloads = [(item["data_file"], "plotted data (CSV)")] if "data_file" in item else []
    downloads.append((path, f"figure ({extension.upper()})"))
    return path, downloads


def _figure(
    cell: Cell,
    data: dict[str, Any],
    label: str,
    options: dict[str, Any],
    doc: Document,
    woven: Woven,
    strict: bool = False,
) -> str:
    _check_figure(cell, label, options, doc, strict)
    label = label if label.startswith("fig-") else ""
    caption, alt = options.get("fig-cap") or "", options.get("fig-alt") or ""
    alt = alt[0] if isinstance(alt, list) and alt else alt  # a list: the first figure's
    path, downloads = _save_image(cell, data, label, doc, woven)
    width = _width_attribute(path, woven)
    if label:  # the caption is markdown, as in Quarto (emphasis, math, citations)
        alt_text = f" fig-alt={attribute(str(alt))}" if alt else ""  # else: the caption
        short = options.get("fig-scap")
        alt_text += f" fig-scap={attribute(str(short))}" if short else ""
        figure = f"![{caption}]({path}){{#{label}{alt_text}{width}}}\n"
    elif caption:  # an unnumbered figure: Pandoc's image figure (alt text: fig-alt or caption)
        attrs = (f" alt={attribute(str(alt))}" if alt else "") + width
        figure = f"![{caption}]({path})" + (f"{{{attrs.strip()}}}" if attrs else "") + "\n"
    else:  # no caption: a plain image (not a figure), as Quarto shows an uncaptioned plot
        text = alt or f"Figure produced by the cell at line {doc.origin(cell.line)[1]}"
        figure = f"![{escape(str(text))}]({path})\\ \n"
    return figure + disclosure(doc, cell.line, cell.code, woven.inputs, downloads)


_LAYOUT_OPTIONS = ("layout-ncol", "layout-nrow", "layout")


def _subfigures(
    cell: Cell,
    figures: list[dict[str, Any]],
    label: str,
    options: dict[str, Any],
    doc: Document,
    woven: Woven,
    strict: bool = False,
) -> str:
    """A cell's several figures (or one with `fig-subcap`) as the subfigures of one figure,
    as Quarto makes them: `#<label>-1`, `#<label>-2`, … lettered (a), (b), laid out by the
    cell's `layout-ncol`/`layout-nrow`/`layout`, captioned by `fig-subcap`."""
    if not label.startswith("fig-"):
        raise BuildError(
            "a cell with fig-subcap needs '#| label: fig-...' and 'fig-cap': its "
            "figures become the subfigures of that figure",
            doc.path,
            cell.line,
        )
    _check_figure(cell, label, options, doc, strict)
    subcaps = options.get("fig-subcap")
    subcaps = [str(c) for c in subcaps] if isinstance(subcaps, list) else []
    if subcaps and len(subcaps) != len(figures):
        raise BuildError(
            f"cell '{label}' has {len(subcaps)} fig-subcap caption(s) for "
            f"{len(figures)} figure(s): give one caption per figure",
            doc.path,
            cell.line,
        )
    alts = options.get("fig-alt")
    alts = [str(a) for a in alts] if isinstance(alts, list) else []
    where = doc.origin(cell.line)[1]
    layout = "".join(
        f" {key}={attribute(str(options[key]))}" for key in _LAYOUT_OPTIONS if key in options
    )
    body, downloads = [], []
    for number, output in enumerate(figures, 1):
        path, offered = _save_image(cell, output["data"], label, doc, woven, f"{label}-{number}")
        letter = f"({chr(ord('a') + number - 1)}) " if number <= 26 else f"{number} "
        downloads += [(href, f"{letter}{text}") for href, text in offered]
        subcap = subcaps[number - 1] if subcaps else ""
        alt = (
            alts[number - 1]
            if len(alts) == len(figures)
            else subcap or f"Subfigure {number} of the figure produced by the cell at line {where}"
        )
        body.append(
            f"::: {{#{label}-{number}}}\n"
            f"![]({path}){{fig-alt={attribute(alt)}{_width_attribute(path, woven)}}}\n\n"
            + (f"{subcap}\n" if subcap else "")
            + ":::\n"
        )
    caption = str(options.get("fig-cap") or "")
    markdown = f":::: {{#{label}{layout}}}\n" + "\n".join(body) + f"\n{caption}\n::::\n"
    return markdown + disclosure(doc, cell.line, cell.code, woven.inputs, downloads)


def _html(
    cell: Cell, text: str, label: str, options: dict[str, Any], doc: Document, woven: Woven
) -> str:
    """A `text/html` output: as it is in HTML, converted for the PDF; captioned, a table."""
    text = display.stable_ids(text, label or f"cell{doc.origin(cell.line)[1]}")
    if label.startswith("tbl-") or options.get("tbl-cap"):
        table = display.html_table(text)
        if table is None:
            raise BuildError(
                f"cell has {'tbl-cap' if options.get('tbl-cap') else 'a tbl- label'}"
                " but its HTML output holds no <table>",
                doc.path,
                cell.line,
            )
        return _table(cell, table, label, options, doc, woven)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return (
        f"{fence}{{=html}}\n{text.rstrip()}\n{fence}\n\n"
        f"{fence}{{=typst}}\n{display.html_to_typst(text, doc, cell)}\n{fence}\n"
    )


def _table(
    cell: Cell,
    table: dict[str, Any],
    label: str,
    options: dict[str, Any],
    doc: Document,
    woven: Woven,
) -> str:
    caption = options.get("tbl-cap", "")
    if label.startswith("tbl-") and not caption:
        raise BuildError(f"table '{label}' has no tbl-cap", doc.path, cell.line)
    label = label if label.startswith("tbl-") else ""
    text = pipe_table(
        table["columns"],
        table["rows"],
        caption,
        label,
        table.get("columns_markdown"),
        options.get("tbl-colwidths"),
    )
    if not label:
        return text
    data = table_csv(table)
    path = f"figures/{label}.csv"
    woven.files[path] = data
    woven.items.append(
        {
            "kind": "table",
            "label": label,
            "line": cell.line,
            "code": cell.code,
            "data_file": path,
            "data_sha256": sha256(data),
        }
    )
    return text + disclosure(doc, cell.line, cell.code, woven.inputs, [(path, "table data (CSV)")])


def weave(
    doc: Document,
    nb: nbformat.NotebookNode,
    defaults: dict[str, Any],
    inputs: dict[str, str | None] | None = None,
    strict: bool = False,
) -> Woven:
    """Markdown for a whole chapter from its parsed source and executed notebook.

    `inputs` maps the files the chapter's kernel read to their SHA-256 (from the cache record);
    `strict` is the `figures-labelled` house rule (label, caption and alt text on every figure).
    """
    woven = Woven(markdown="", inputs=dict(inputs or {}))
    outputs = _outputs_by_block(nb)
    inlines = inline_values(nb)
    parts: list[str] = []
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Markdown):
            values = inlines.get(index, [])
            parts.append(replace_inlines(block.raw, values))
            for inline, value in zip(_inline_lines(block), values, strict=False):
                woven.items.append(
                    {
                        "kind": "value",
                        "line": inline[0],
                        "code": inline[1],
                        "value": value,
                        "sha256": sha256(value.encode("utf-8")),
                    }
                )
        else:
            options = effective_options(block, defaults)
            for key in ("code-fold", "code-summary"):  # `format: html:` defaults
                if key in defaults and key not in block.options:
                    options[key] = defaults[key]
            text = weave_cell(block, outputs.get(index, []), options, doc, woven, strict)
            parts.append("\n" + text + "\n" if text else "\n")
    woven.markdown = "".join(parts)
    return woven


def _inline_lines(block: Markdown) -> list[tuple[int, str]]:
    """(line, expression) of each inline value, from the current source: a cached notebook
    keeps the lines of the run that made it, which a prose edit above may have shifted."""
    return [(i.line, i.expr) for i in find_inlines(block.raw, block.line)]
