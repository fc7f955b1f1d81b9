"""Likert scale scores and their reliability (Cronbach's alpha).

Which items form a scale, and which are reverse-coded, is defined in ``data/codebook.yaml`` and
read through ``analysis.codebook`` (``scale_items(name)``, ``reverse_items()``). Functions accept
an explicit ``items``/``reverse`` override so that they can be tested without the codebook.
pingouin is imported inside :func:`cronbach` only, for the reason given in ``analysis.inference``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = [
    "HOUSEHOLD_SCALES",
    "LIKERT_MAX",
    "LIKERT_MIN",
    "Reliability",
    "cronbach",
    "items_of",
    "likert_items",
    "reliability",
    "reverse_code",
    "score_scales",
]

HOUSEHOLD_SCALES = ("precision", "sharing", "problems")
LIKERT_MIN, LIKERT_MAX = 1, 5


def items_of(scale: str) -> list[str]:
    """The item columns of ``scale`` as the codebook defines them.

    Parameters
    ----------
    scale : str
        A scale of the codebook: "precision", "sharing", "problems" or "formalism".

    Returns
    -------
    list of str
        The item variables, in codebook order.

    Examples
    --------
    >>> items_of("sharing")
    ['share_1', 'share_2', 'share_3', 'share_4', 'share_5']
    """
    from analysis import codebook  # the data layer owns the scale definitions

    return list(codebook.scale_items(scale))


def _codebook_reverse() -> list[str]:
    from analysis import codebook

    return list(codebook.reverse_items())


def _spec(scales: Sequence[str], items: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    if items is None:
        return {scale: items_of(scale) for scale in scales}
    missing = [scale for scale in scales if scale not in items]
    if missing:
        raise KeyError(f"no item list given for scale(s) {missing}")
    return {scale: list(items[scale]) for scale in scales}


def likert_items(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    id_column: str | None = None,
    points: tuple[int, int] = (LIKERT_MIN, LIKERT_MAX),
) -> pd.DataFrame:
    """The Likert columns as float (NaN where skipped), checked to be whole numbers in ``points``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Survey frame holding ``columns``.
    columns : iterable of str
        The item columns.
    id_column : str, optional
        Column that names a row in error messages (the index otherwise).
    points : tuple of int, default (1, 5)
        Lowest and highest answer.

    Returns
    -------
    pandas.DataFrame
        The columns as float64.

    Raises
    ------
    ValueError
        Naming the row and column of the first value outside the scale.
    KeyError
        For a missing column.

    Examples
    --------
    >>> likert_items(pd.DataFrame({"q": [1, None, 5]}, dtype="Int64"), ["q"])["q"].tolist()
    [1.0, nan, 5.0]
    """
    columns = list(columns)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise KeyError(f"columns not in the data: {absent}")
    low, high = points
    # Int64 answers with pd.NA -> float64 with NaN: pingouin 0.7 (cronbach_alpha) works on numpy
    # floats and does not handle pandas 3's nullable NA; see also analysis.inference.
    values = frame[columns].astype("Float64").astype("float64")
    bad = values.notna() & ((values < low) | (values > high) | (values % 1 != 0))
    if bad.to_numpy().any():
        row_pos, col_pos = (int(a[0]) for a in np.nonzero(bad.to_numpy()))
        label = frame[id_column].iloc[row_pos] if id_column else frame.index[row_pos]
        column = columns[col_pos]
        raise ValueError(
            f"row {id_column or 'index'}={label}, column {column!r}: "
            f"{values.iat[row_pos, col_pos]:g} is not a Likert answer {low}..{high}"
        )
    return values


def reverse_code(
    values: pd.DataFrame,
    reverse: Iterable[str],
    *,
    points: tuple[int, int] = (LIKERT_MIN, LIKERT_MAX),
) -> pd.DataFrame:
    """Reverse-code the named columns of a Likert frame: x -> low + high - x (6 - x for 1-5).

    Parameters
    ----------
    values : pandas.DataFrame
        Likert answers (float, as from :func:`likert_items`).
    reverse : iterable of str
        Columns to reverse; names not in ``values`` are ignored.
    points : tuple of int, default (1, 5)
        Lowest and highest answer.

    Returns
    -------
    pandas.DataFrame
        A copy with those columns reversed.

    Examples
    --------
    >>> reverse_code(pd.DataFrame({"q": [1.0, 4.0]}), ["q"])["q"].tolist()
    [5.0, 2.0]
    """
    out = values.copy()
    for column in reverse:
        if column in out.columns:
            out[column] = (points[0] + points[1]) - out[column]
    return out


def _id_column(frame: pd.DataFrame) -> str | None:
    for candidate in ("hh_id", "staff_id"):
        if candidate in frame.columns:
            return candidate
    return None


def score_scales(
    hh: pd.DataFrame,
    *,
    scales: Sequence[str] = HOUSEHOLD_SCALES,
    items: Mapping[str, Sequence[str]] | None = None,
    reverse: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Add one column per scale: the mean of its items (1-5), reverse-coded items as 6 - x.

    A respondent who skipped items is scored on the items answered if at least half of the
    scale's items were answered (rounded up); otherwise the score is missing (NaN).

    Parameters
    ----------
    hh : pandas.DataFrame
        The cleaned household (or staff) frame.
    scales : sequence of str, default ("precision", "sharing", "problems")
        Which scales to score.
    items : mapping of str to sequence of str, optional
        Item lists per scale; from the codebook by default.
    reverse : iterable of str, optional
        Reverse-coded items; from the codebook by default.

    Returns
    -------
    pandas.DataFrame
        A copy of ``hh`` with a float column per scale (score points, 1-5).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [5, 2], "b": [4, None], "c": [1, None]}, dtype="Int64")
    >>> scored = score_scales(frame, scales=["s"], items={"s": ["a", "b", "c"]}, reverse=["c"])
    >>> scored["s"].tolist()
    [4.666666666666667, nan]
    """
    spec = _spec(scales, items)
    reverse = _codebook_reverse() if reverse is None else list(reverse)
    out = hh.copy()
    for scale, columns in spec.items():
        values = reverse_code(likert_items(hh, columns, id_column=_id_column(hh)), reverse)
        answered = values.notna().sum(axis=1)
        enough = answered >= math.ceil(len(columns) / 2)
        out[scale] = values.mean(axis=1).where(enough).astype("float64")
    return out


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of one scale with its 95% confidence interval.

    ``n`` counts respondents who answered every item (listwise deletion).
    """

    scale: str
    n_items: int
    n: int
    alpha: float
    ci_low: float
    ci_high: float


def cronbach(
    hh: pd.DataFrame,
    scale: str,
    *,
    items: Sequence[str] | None = None,
    reverse: Iterable[str] | None = None,
    points: tuple[int, int] = (LIKERT_MIN, LIKERT_MAX),
) -> Reliability:
    """Cronbach's alpha of a scale, reverse-coded items reversed, listwise deletion.

    Parameters
    ----------
    hh : pandas.DataFrame
        The cleaned survey frame.
    scale : str
        The scale's name (used for the items when ``items`` is not given).
    items : sequence of str, optional
        The item columns (at least two); from the codebook by default.
    reverse : iterable of str, optional
        Reverse-coded items; from the codebook by default.
    points : tuple of int, default (1, 5)
        Lowest and highest answer.

    Returns
    -------
    Reliability
        ``alpha`` with its 95% CI (pingouin's F-distribution interval, Feldt) on the ``n``
        respondents who answered every item.

    Raises
    ------
    ValueError
        For fewer than two items or fewer than three complete responses.

    Notes
    -----
    alpha = k / (k - 1) * (1 - sum(var_i) / var_total).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5]}, dtype="Int64")
    >>> result = cronbach(frame, "demo", items=["a", "b"], reverse=[])
    >>> result.n, round(result.alpha, 3)
    (5, 0.968)
    """
    import pingouin as pg

    columns = items_of(scale) if items is None else list(items)
    if len(columns) < 2:
        raise ValueError(f"scale {scale!r} needs at least two items, got {columns}")
    reverse = _codebook_reverse() if reverse is None else list(reverse)
    answers = likert_items(hh, columns, id_column=_id_column(hh), points=points)
    complete = reverse_code(answers, reverse, points=points).dropna()
    if len(complete) < 3:
        raise ValueError(f"scale {scale!r}: fewer than 3 complete responses")
    alpha, interval = pg.cronbach_alpha(complete, ci=0.95, nan_policy="listwise")
    return Reliability(
        scale=scale,
        n_items=len(columns),
        n=len(complete),
        alpha=float(alpha),
        ci_low=float(interval[0]),
        ci_high=float(interval[1]),
    )


def reliability(
    hh: pd.DataFrame,
    *,
    scales: Sequence[str] = HOUSEHOLD_SCALES,
    items: Mapping[str, Sequence[str]] | None = None,
    reverse: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Cronbach's alpha for each scale, one row each.

    Parameters
    ----------
    hh : pandas.DataFrame
        The cleaned household frame.
    scales : sequence of str, default ("precision", "sharing", "problems")
        The scales.
    items, reverse
        As in :func:`cronbach`; from the codebook by default.

    Returns
    -------
    pandas.DataFrame
        ``scale``, ``n_items``, ``n``, ``alpha``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from analysis import survey
    >>> reliability(survey.load_households())["scale"].tolist()
    ['precision', 'sharing', 'problems']
    """
    spec = _spec(scales, items)
    rows = [asdict(cronbach(hh, s, items=spec[s], reverse=reverse)) for s in scales]
    return pd.DataFrame(rows)
