"""The thesis's one figure style, applied on request as a context manager (never at import).

``house_style()`` sets matplotlib rcParams for the duration of a ``with`` block: the body's
typeface, Libertinus Serif, as real text (``svg.fonttype: none``: searchable in the PDF, where
Typst sets it in the same font file; :mod:`analysis.typeface` reads that file from the `typst`
wheel for matplotlib's metrics), the Okabe-Ito colour-blind-safe palette, sizes for a 6.3 in
wide text block, and settings that make SVG output byte-for-byte reproducible (fixed
``svg.hashsalt``, no date in the metadata).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from cycler import cycler

from analysis import typeface

if TYPE_CHECKING:  # the rcParams names matplotlib knows: a misspelt key is a type error
    from matplotlib.typing import RcKeyType

__all__ = [
    "FIGURE_HEIGHT_IN",
    "FIGURE_WIDTH_IN",
    "GREY",
    "MAX_WIDTH_IN",
    "OKABE_ITO",
    "RC_PARAMS",
    "SMALLEST_TEXT_PT",
    "SVG_METADATA",
    "house_style",
    "palette",
]

MAX_WIDTH_IN = 6.3
"""Widest figure that fits the printed text block, in inches."""
FIGURE_WIDTH_IN = 6.3
FIGURE_HEIGHT_IN = 3.6
SMALLEST_TEXT_PT = 8.0
"""The smallest text of a figure (notes, legends, crowded tick labels), in pt at the figure's
own width: the PDF shows a full-width figure at the text width (145 of 160 mm, x 0.906), so it
prints at 7.25 pt, never below 7; the HTML edition shows it no smaller than 9 CSS px."""

# Okabe & Ito (2008), "Color Universal Design"; black dropped from the cycle (used for text).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
GREY = "#7F7F7F"
_CYCLE = [
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish green",
        "vermillion",
        "reddish purple",
        "sky blue",
        "yellow",
    )
]

SVG_METADATA = {"Date": None}
"""Passed to ``savefig`` so that no creation date makes two renderings differ."""

RC_PARAMS: dict[RcKeyType, Any] = {
    "figure.figsize": (FIGURE_WIDTH_IN, FIGURE_HEIGHT_IN),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "font.family": "serif",
    "font.serif": [typeface.FAMILY],
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "axes.prop_cycle": cycler(color=_CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.titlelocation": "left",
    "image.cmap": "cividis",
    "svg.fonttype": "none",
    "svg.hashsalt": "lankao-thesis",
    "svg.image_inline": True,
    "path.simplify": True,
}


def palette(n: int) -> list[str]:
    """The first ``n`` colours of the house cycle (Okabe-Ito).

    Parameters
    ----------
    n : int
        How many colours (1 to the length of the cycle).

    Returns
    -------
    list of str
        Hex colours.

    Examples
    --------
    >>> palette(2)
    ['#0072B2', '#E69F00']
    """
    if not 1 <= n <= len(_CYCLE):
        raise ValueError(f"the palette has {len(_CYCLE)} colours, asked for {n}")
    return _CYCLE[:n]


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the house rcParams inside a ``with`` block; restore the previous ones after.

    Returns
    -------
    contextlib.AbstractContextManager
        The rcParams apply inside the block only.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with house_style():
    ...     inside = mpl.rcParams["svg.fonttype"]
    >>> inside == RC_PARAMS.get("svg.fonttype", inside)
    True
    """
    typeface.register()
    with mpl.rc_context(RC_PARAMS):
        yield
