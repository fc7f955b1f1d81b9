"""Shares and counts of the answers to single Likert questions, as the prose reports them.

On the five-point scales an answer of 4 or 5 counts as agreeing (:data:`AGREE_MIN`) and 1 or 2
as disagreeing (:data:`DISAGREE_MAX`); skipped answers are left out, so every share is of the
respondents who answered that question.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis import fmt

__all__ = [
    "AGREE_MIN",
    "DISAGREE_MAX",
    "agree_majorities",
    "agree_share",
    "agree_shares",
    "answer_counts",
    "measures_fit_reading",
]

AGREE_MIN = 4
"""The lowest answer that counts as agreeing ("agree", "strongly agree")."""
DISAGREE_MAX = 2
"""The highest answer that counts as disagreeing ("disagree", "strongly disagree")."""


def _answered(values: pd.Series) -> pd.Series:
    return values.astype("Float64").dropna().astype("float64")


def agree_share(values: pd.Series) -> float:
    """Share of the answers that agree (4 or 5), skipped answers left out.

    Parameters
    ----------
    values : pandas.Series
        Answers 1-5 to one question (nullable integers; NA where skipped).

    Returns
    -------
    float
        Fraction 0-1 of the non-missing answers that are at least :data:`AGREE_MIN`;
        NaN when nobody answered.

    Examples
    --------
    >>> agree_share(pd.Series([5, 4, 2, None], dtype="Int64"))
    0.6666666666666666
    """
    answered = _answered(values)
    return float(answered.ge(AGREE_MIN).mean()) if len(answered) else float("nan")


def agree_shares(frame: pd.DataFrame, items: Sequence[str]) -> dict[str, float]:
    """:func:`agree_share` of each of ``items``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cleaned survey frame holding the ``items`` columns.
    items : sequence of str
        Likert item columns, e.g. ``codebook.scale_items("problems")``.

    Returns
    -------
    dict of str to float
        Item -> share agreeing (fraction 0-1), in the order of ``items``.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [4, 5, 1, 2], "b": [3, 3, 3, 5]}, dtype="Int64")
    >>> agree_shares(frame, ["a", "b"])
    {'a': 0.5, 'b': 0.25}
    """
    _require(frame, items)
    return {item: agree_share(frame[item]) for item in items}


def answer_counts(frame: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """How many answered each item, agreed (4-5) and disagreed (1-2).

    Parameters
    ----------
    frame : pandas.DataFrame
        Cleaned survey frame holding the ``items`` columns.
    items : sequence of str
        Likert item columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by item (in the order given): ``n`` (answered), ``n_agree``, ``n_disagree``
        (int64 counts) and ``share_agree`` (``n_agree / n``, fraction 0-1).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [4, 5, 1, None]}, dtype="Int64")
    >>> answer_counts(frame, ["a"]).loc["a"].tolist()
    [3.0, 2.0, 1.0, 0.6666666666666666]
    """
    _require(frame, items)
    rows = []
    for item in items:
        answered = _answered(frame[item])
        rows.append(
            {
                "item": item,
                "n": len(answered),
                "n_agree": int(answered.ge(AGREE_MIN).sum()),
                "n_disagree": int(answered.le(DISAGREE_MAX).sum()),
            }
        )
    out = pd.DataFrame(rows, columns=["item", "n", "n_agree", "n_disagree"]).set_index("item")
    out = out.astype("int64")
    out["share_agree"] = out["n_agree"] / out["n"]
    return out


def agree_majorities(frame: pd.DataFrame, items: Sequence[str]) -> dict[str, str]:
    """For each item, whether those who agreed are "a majority" of those who answered.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cleaned survey frame holding the ``items`` columns.
    items : sequence of str
        Likert item columns.

    Returns
    -------
    dict of str to str
        Item -> "a majority", "exactly half" or "a minority" (:func:`analysis.fmt.majority`).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [4, 5, 1], "b": [1, 4, None]}, dtype="Int64")
    >>> agree_majorities(frame, ["a", "b"])
    {'a': 'a majority', 'b': 'exactly half'}
    """
    counts = answer_counts(frame, items)
    agreed, answered = counts["n_agree"].tolist(), counts["n"].tolist()
    return {
        str(item): fmt.majority(int(k), int(n))
        for item, k, n in zip(counts.index, agreed, answered, strict=True)
    }


def measures_fit_reading(n_agree: int, n: int) -> str:
    """The clause that follows the staff's answer to "the measures fit local conditions".

    A majority agreeing sits uneasily with the households' and interviews' reading of uniform
    measures; otherwise the staff's answer is consistent with it.

    Parameters
    ----------
    n_agree : int
        Staff who agreed (4-5).
    n : int
        Staff who answered.

    Returns
    -------
    str
        The clause, without final punctuation.

    Examples
    --------
    >>> measures_fit_reading(30, 80)
    'which is consistent with the reading of uniform measures'
    """
    if 2 * n_agree > n:
        return "a view that sits uneasily with the reading of uniform measures"
    return "which is consistent with the reading of uniform measures"


def _require(frame: pd.DataFrame, items: Sequence[str]) -> None:
    missing = [c for c in items if c not in frame.columns]
    if missing:
        raise KeyError(f"the data lack column(s) {missing}")
