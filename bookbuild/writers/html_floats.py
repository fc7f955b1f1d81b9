"""Figures and tables in Quarto's HTML structure, so CSS written for Quarto applies.

A cross-referenced float is `div#fig-x.quarto-float.quarto-figure > figure.quarto-float
.quarto-float-fig > … figcaption.quarto-float-caption.quarto-float-fig` (`-tbl` for tables,
`quarto-subfloat-…` for subfigures and sub-tables, `-lst` for listings, `-dia` for a
custom kind `dia`), its images
`img.figure-img`; a figure
without a label is `div.quarto-figure > figure.figure`. The one difference: a table keeps its
caption as its own `<caption>` (Quarto moves it into the figure's `figcaption`), which keeps
the caption with the table for screen readers and in the sideways-scrolling box.
"""

from __future__ import annotations

from bookbuild.document.ast import Div, Node, RawBlock, stringify, walk
from bookbuild.document.custom_kinds import float_kind, without_marks
from bookbuild.document.layout import SUBFIGURE, TABLE_PANEL
from bookbuild.writers.caption_locations import location

WRAPPER = ["quarto-float", "quarto-figure", "quarto-figure-center", "anchored"]


def html_floats(blocks: list[Node], locations: dict[str, str] | None = None) -> list[Node]:
    """A copy-free rewrite of `blocks`: every figure, labelled table and listing in Quarto's
    markup, captions where `locations` (`caption_locations`) puts them."""
    where = locations or {}
    out: list[Node] = []
    for block in blocks:
        kind = block.get("t")
        if kind == "Div":
            block["c"][1] = html_floats(block["c"][1], where)
        elif kind == "BlockQuote":
            block["c"] = html_floats(block["c"], where)
        elif kind == "BulletList":
            block["c"] = [html_floats(item, where) for item in block["c"]]
        elif kind == "OrderedList":
            block["c"][1] = [html_floats(item, where) for item in block["c"][1]]
        if kind == "Figure":
            block["c"][2] = html_floats(block["c"][2], where)
            out.append(_figure(block, where))
        elif kind == "Div" and "listing" in block["c"][0][1] and block["c"][0][0]:
            out.append(_listing(block, where))
        elif kind == "Table" and block["c"][0][0]:
            out.append(_table(block, where))
        else:
            out.append(block)
    return out


def _names(classes: list[str], kind: str, where: str) -> tuple[str, str]:
    """(the figure's float class, the caption's classes) of a float or subfloat of `kind`
    (fig, tbl, a custom kind's key) whose caption is at `where` (top, bottom)."""
    level = "subfloat" if SUBFIGURE in classes else "float"
    return (
        f"quarto-{level}-{kind}",
        f"quarto-float-caption-{where} quarto-{level}-caption quarto-{level}-{kind}",
    )


def _figure(node: Node, locations: dict[str, str]) -> Node:
    (ident, classes, attrs), (_short, caption), content = node["c"]
    custom = float_kind(node)  # a custom kind's float: its key and caption location
    kind = custom[0] if custom else "tbl" if TABLE_PANEL in classes else "fig"
    top = (custom[1] if custom else location(kind, locations)) == "top"
    attrs = without_marks(attrs)
    _figure_images(content)
    # the author's classes (`::: {#fig-x .border}`) go on the float's div, as Quarto puts
    # them; this build's marks stay on the <figure> (an image's own stay on the image)
    own = [c for c in classes if c not in (SUBFIGURE, TABLE_PANEL)]
    marks = [c for c in classes if c in (SUBFIGURE, TABLE_PANEL)]
    if ident or SUBFIGURE in classes:  # a float (numbered or lettered)
        float_class, caption_class = _names(classes, kind, "top" if top else "bottom")
        figure_classes, wrapper = ["quarto-float", float_class, "figure", *marks], WRAPPER
        opening = f'<figcaption class="{caption_class}">'
    else:  # an unlabelled figure: not a float, as in Quarto
        figure_classes, wrapper, opening = ["figure", *marks], WRAPPER[1:3], "<figcaption>"
    wrapper = [*wrapper, *own]
    if caption and _caption_is_alt(caption, content):  # as Pandoc: not read out twice
        opening = opening.replace("<figcaption", '<figcaption aria-hidden="true"')
    _plain_number(caption)
    figcaption: list[Node] = []
    if caption:
        figcaption = [RawBlock("html", opening), *caption, RawBlock("html", "</figcaption>")]
    inner = [*figcaption, *content] if top else [*content, *figcaption]
    return Div(
        ident,
        wrapper,
        [
            RawBlock("html", f'<figure class="{" ".join(figure_classes)}">'),
            *inner,
            RawBlock("html", "</figure>"),
        ],
        attrs,
    )


def _table(node: Node, locations: dict[str, str]) -> Node:
    """A labelled table: its label on the float's div, the table inside its figure (its own
    caption at the bottom under `tbl-cap-location: bottom`: `html_tables` marks it)."""
    ident, classes, attrs = node["c"][0]
    float_class, _ = _names(classes, "tbl", "top")
    _plain_number(node["c"][1][1])
    node["c"][0] = ["", classes, attrs]
    return Div(
        ident,
        WRAPPER,
        [
            RawBlock("html", f'<figure class="quarto-float {float_class} figure figure-table">'),
            node,
            RawBlock("html", "</figure>"),
        ],
    )


def listing_location(node: Node, locations: dict[str, str]) -> str:
    """Where a listing's caption goes: its code block's `lst-cap-location`, else the
    edition's."""
    for block in node["c"][1]:
        if block.get("t") == "CodeBlock":
            given = dict(block["c"][0][2]).get("lst-cap-location")
            if given in ("top", "bottom"):
                return given
    return location("lst", locations)


def _listing(node: Node, locations: dict[str, str]) -> Node:
    """A numbered listing (`document/crossref._listing`): its caption a `figcaption` above
    (or below) the code, in Quarto's `figure.quarto-float-lst`."""
    (ident, classes, attrs), blocks = node["c"]
    where = listing_location(node, locations)
    head = [b for b in blocks if b.get("t") == "Div" and "listing-caption" in b["c"][0][1]]
    rest = [b for b in blocks if not head or b is not head[0]]
    caption = (
        [
            RawBlock(
                "html",
                f'<figcaption class="quarto-float-caption-{where} quarto-float-caption '
                'quarto-float-lst listing-caption">',
            ),
            *_plain_number(head[0]["c"][1]),
            RawBlock("html", "</figcaption>"),
        ]
        if head
        else []
    )
    return Div(
        ident,
        [*classes, "quarto-float", "quarto-figure", "quarto-figure-left", "anchored"],
        [
            RawBlock("html", '<figure class="quarto-float quarto-float-lst figure">'),
            *(caption if where == "top" else []),
            *rest,
            *(caption if where == "bottom" else []),
            RawBlock("html", "</figure>"),
        ],
        attrs,
    )


def _figure_images(content: list[Node]) -> None:
    """Quarto's `figure-img` class on the images a figure shows (not its subfigures')."""
    for block in content:
        if block.get("t") not in ("Plain", "Para"):
            continue
        for inline in block["c"]:
            if inline.get("t") == "Link":
                images = [i for i in inline["c"][1] if i.get("t") == "Image"]
            else:
                images = [inline] if inline.get("t") == "Image" else []
            for image in images:
                if "figure-img" not in image["c"][0][1]:
                    image["c"][0][1].append("figure-img")


def _plain_number(caption: list[Node]) -> list[Node]:
    """A float's "Figure 1.1:" (a subfloat's "(a)", a listing's bold "Listing 1.1:") as plain
    caption text, as Quarto 1.4+ writes it (no `span.figure-number`); returns `caption`."""
    if caption and caption[0].get("t") in ("Plain", "Para") and caption[0]["c"]:
        first = caption[0]["c"][0]
        if first.get("t") == "Strong" and len(first["c"]) == 1:
            first = first["c"][0]  # a listing's number is bold
        if first.get("t") == "Span" and {"figure-number", "listing-number"} & set(first["c"][0][1]):
            caption[0]["c"][0:1] = first["c"][1]
    return caption


def _caption_is_alt(caption: list[Node], content: list[Node]) -> bool:
    """Whether the caption says just what the figure's one image's alt text says."""
    images = [n for n in walk(content) if n.get("t") == "Image"]
    return len(images) == 1 and stringify(images[0]["c"][1]) == stringify(caption)
