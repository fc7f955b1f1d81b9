"""Inter-coder agreement for the interview coding matrix (Cohen's kappa).

A second coder coded a subsample of the interviews (``raw/survey/interviews_second_coding.csv``,
SIMULATED in this edition, see ``data/simulation/simulate_second_coding.py``). For each theme
and for all theme codes pooled, :func:`agreement` gives the observed agreement, the agreement
expected by chance from the two coders' marginal rates, and kappa = (p_o - p_e) / (1 - p_e).
Kappa is undefined (NaN) when p_e = 1, i.e. both coders used one code only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import inference, survey

__all__ = ["SECOND_CODING_CSV", "Agreement", "agreement", "cohen_kappa", "load_second_coding"]

SECOND_CODING_CSV = survey.RAW_SURVEY / "interviews_second_coding.csv"


def load_second_coding(
    path: Path | str = SECOND_CODING_CSV, *, verify: bool = True
) -> pd.DataFrame:
    """The second coding of the interviews, read and checked by the interview loader.

    Parameters
    ----------
    path : path, default ``SECOND_CODING_CSV``
        The CSV, in the layout of the interview coding matrix.
    verify : bool, default True
        Check the file against ``data/raw/SHA256SUMS``.

    Returns
    -------
    pandas.DataFrame
        The cleaned coding (``interview_id``, ``role``, one boolean per theme).

    Examples
    --------
    >>> len(load_second_coding()) > 0
    True
    """
    return survey.load_interviews(path, verify=verify)


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Observed agreement, chance agreement and Cohen's kappa of two codings of the same units.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two codings, same shape, any labels.

    Returns
    -------
    tuple of float
        (observed agreement, expected agreement, kappa), the first two fractions 0-1; kappa is
        NaN when the expected agreement is 1 (both coders used one code only).

    Raises
    ------
    ValueError
        For empty or differently shaped codings.

    Notes
    -----
    kappa = (p_o - p_e) / (1 - p_e), p_e from the two coders' marginal rates (Cohen 1960).

    Examples
    --------
    >>> cohen_kappa(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))
    (0.75, 0.5, 0.5)
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("cohen_kappa: the two codings must be non-empty and of equal length")
    labels = np.union1d(a, b)
    p_o = float((a == b).mean())
    p_e = float(sum((a == lab).mean() * (b == lab).mean() for lab in labels))
    kappa = np.nan if np.isclose(p_e, 1.0) else (p_o - p_e) / (1.0 - p_e)
    return p_o, p_e, float(kappa)


@dataclass(frozen=True, eq=False)
class Agreement:
    """Agreement of two codings on the interviews both coded.

    ``by_theme`` has ``theme`` (column), ``label``, ``n`` (interviews), ``agree`` (count of
    equal codes), ``observed_agreement``, ``expected_agreement``, ``kappa``. ``kappa`` etc.
    pool every interview x theme code; ``n_codes`` = interviews x themes; ``n_agree`` equal codes.
    """

    n_interviews: int
    n_total: int
    n_codes: int
    n_agree: int
    observed_agreement: float
    expected_agreement: float
    kappa: float
    by_theme: pd.DataFrame


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> Agreement:
    """Cohen's kappa between two codings, on the interviews present in both.

    Parameters
    ----------
    first : pandas.DataFrame
        The full coding (``interview_id`` and the theme columns).
    second : pandas.DataFrame
        The second coding of some of the same interviews.

    Returns
    -------
    Agreement
        Pooled ``observed_agreement``, ``expected_agreement`` and ``kappa`` over every
        interview x theme code, and ``by_theme`` per theme.

    Raises
    ------
    ValueError
        When the second coding holds an interview the first does not.

    Examples
    --------
    >>> from analysis import survey
    >>> result = agreement(survey.load_interviews(), load_second_coding())
    >>> result.n_codes == result.n_interviews * len(result.by_theme)
    True
    """
    themes = list(inference.theme_labels())
    inference._require(first, ["interview_id", *themes], "agreement (first coding)")
    inference._require(second, ["interview_id", *themes], "agreement (second coding)")
    unknown = sorted(set(second["interview_id"]) - set(first["interview_id"]))
    if unknown:
        raise ValueError(f"second coding: interview(s) {unknown} are not in the first coding")
    a = first.set_index("interview_id").loc[list(second["interview_id"]), themes]
    b = second.set_index("interview_id")[themes]
    a_codes, b_codes = a.to_numpy(dtype=bool), b.to_numpy(dtype=bool)
    rows = []
    for j, theme in enumerate(themes):
        p_o, p_e, kappa = cohen_kappa(a_codes[:, j], b_codes[:, j])
        rows.append(
            {
                "theme": theme,
                "label": inference.theme_labels()[theme],
                "n": len(b),
                "agree": int((a_codes[:, j] == b_codes[:, j]).sum()),
                "observed_agreement": p_o,
                "expected_agreement": p_e,
                "kappa": kappa,
            }
        )
    p_o, p_e, kappa = cohen_kappa(a_codes.ravel(), b_codes.ravel())
    return Agreement(
        n_interviews=len(b),
        n_total=len(first),
        n_codes=a_codes.size,
        n_agree=int((a_codes == b_codes).sum()),
        observed_agreement=p_o,
        expected_agreement=p_e,
        kappa=kappa,
        by_theme=pd.DataFrame(rows),
    )
