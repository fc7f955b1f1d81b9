"""Load ``data/codebook.yaml`` and answer questions about it.

:func:`load_codebook` returns a frozen :class:`Codebook` object (a thin typed wrapper around the
parsed YAML, available unchanged as ``Codebook.raw``). The loaders, the validation schemas, the
scale scoring and the thesis appendix all read the instrument from here and nowhere else.

Accessors used by the analysis code::

    from analysis import codebook
    codebook.scale_items("precision")   # ['prec_1', ..., 'prec_6']
    codebook.reverse_items()            # ['prob_5']
    cb = codebook.load_codebook(); cb.header("households", "education")  # '5、您的文化程度：'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis.paths import CODEBOOK

__all__ = [
    "FILES",
    "Codebook",
    "CodebookError",
    "categories",
    "flag_labels",
    "likert_variables",
    "load_codebook",
    "reverse_items",
    "scale_items",
]

FILES = ("households", "staff", "interviews")
"""The three survey files the codebook describes."""


class CodebookError(KeyError):
    """A name that the codebook does not define (message lists the valid names)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class Codebook:
    """The parsed codebook. ``raw`` is the YAML mapping; treat it as read-only."""

    raw: dict[str, Any]
    path: Path

    # ---- files and columns -------------------------------------------------------------
    def file_spec(self, file: str) -> dict[str, Any]:
        """The ``files.<file>`` block (path, encoding, columns, scales).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        dict
            The raw YAML block.

        Examples
        --------
        >>> load_codebook().file_spec("staff")["encoding"]
        'gbk'
        """
        try:
            return self.raw["files"][file]
        except KeyError:
            raise CodebookError(
                f"unknown survey file {file!r}; valid: {', '.join(FILES)}"
            ) from None

    def columns(self, file: str) -> list[dict[str, Any]]:
        """Column specs of ``file`` in export order (metadata first).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        list of dict

        Examples
        --------
        >>> load_codebook().columns("staff")[0]["var"]
        'staff_id'
        """
        return list(self.file_spec(file)["columns"])

    def headers(self, file: str) -> list[str]:
        """Raw headers of ``file`` in export order.

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        list of str

        Examples
        --------
        >>> load_codebook().headers("staff")[:2]
        ['序号', '提交答卷时间']
        """
        return [c["header"] for c in self.columns(file)]

    def column(self, file: str, var: str) -> dict[str, Any]:
        """Column spec holding variable ``var`` (an assist_* flag returns the multi-select spec).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.
        var : str
            A cleaned variable name.

        Returns
        -------
        dict
            The column's YAML entry.

        Examples
        --------
        >>> load_codebook().column("households", "assist_training")["kind"]
        'multi_select'
        """
        for col in self.columns(file):
            if col.get("var") == var:
                return col
            if col["kind"] == "multi_select" and var in self.multi_select_flags(col).values():
                return col
        raise CodebookError(
            f"variable {var!r} not in {file}; valid: {', '.join(self.variables(file))}"
        )

    def header(self, file: str, var: str) -> str:
        """Raw header (question number + Chinese text) of variable ``var``.

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.
        var : str
            A cleaned variable name.

        Returns
        -------
        str

        Examples
        --------
        >>> load_codebook().header("households", "education")
        '5、您的文化程度：'
        """
        return self.column(file, var)["header"]

    def variables(self, file: str) -> list[str]:
        """Cleaned variable names of ``file`` in the order of the data contract.

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        list of str

        Examples
        --------
        >>> load_codebook().variables("interviews")[:3]
        ['interview_id', 'role', 'formalism']
        """
        names: list[str] = []
        for col in self.columns(file):
            if col["kind"] == "multi_select":
                names.extend(self.multi_select_flags(col).values())
            elif col.get("var"):
                names.append(col["var"])
                if col["var"] == "village":
                    names.append("poor_village")
                if col["var"] == "status":
                    names.append("registered")
        return names

    def id_var(self, file: str) -> str:
        """Name of the id variable (``hh_id``, ``staff_id``, ``interview_id``).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        str

        Examples
        --------
        >>> load_codebook().id_var("interviews")
        'interview_id'
        """
        return self.file_spec(file)["id_var"]

    def encoding(self, file: str) -> str:
        """Declared text encoding of the raw export.

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.

        Returns
        -------
        str

        Examples
        --------
        >>> load_codebook().encoding("staff")
        'gbk'
        """
        return self.file_spec(file)["encoding"]

    # ---- options ---------------------------------------------------------------------
    def options(self, col: dict[str, Any]) -> dict[str, Any]:
        """Option text -> stored value for a single-choice, Likert or flag column.

        Parameters
        ----------
        col : dict
            A column's YAML entry.

        Returns
        -------
        dict

        Examples
        --------
        >>> book = load_codebook()
        >>> book.options(book.column("households", "gender"))
        {'男': 'male', '女': 'female'}
        """
        if "options" in col and col["kind"] != "multi_select":
            return dict(col["options"])
        if "option_set" in col:
            return dict(self.raw["option_sets"][col["option_set"]]["options"])
        raise CodebookError(f"column {col['header']!r} has no options")

    def categories(self, file: str, var: str) -> list[Any]:
        """Codes of a categorical variable in codebook order (the category order).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.
        var : str
            A cleaned variable name.

        Returns
        -------
        list

        Examples
        --------
        >>> load_codebook().categories("households", "education")
        ['none', 'primary', 'junior secondary', 'senior secondary', 'college+']
        """
        return list(dict.fromkeys(self.options(self.column(file, var)).values()))

    def multi_select_flags(self, col: dict[str, Any]) -> dict[str, str]:
        """Option text -> flag variable of a multi-select column.

        Parameters
        ----------
        col : dict
            The multi-select column's YAML entry.

        Returns
        -------
        dict of str to str

        Examples
        --------
        >>> book = load_codebook()
        >>> list(book.multi_select_flags(book.column("households", "assist_industry")).values())[:2]
        ['assist_industry', 'assist_training']
        """
        return {text: spec["var"] for text, spec in col["options"].items()}

    def flag_labels(self, file: str, kind: str) -> dict[str, str]:
        """Flag variable -> short English label, in codebook order.

        ``kind`` is ``"multi_select"`` (the assist_* flags of the household file: each option's
        ``label_short``, else its ``label_en``) or ``"flag01"`` (the interview themes: each
        column's ``label_short``).

        Parameters
        ----------
        file : {"households", "staff", "interviews"}
            The survey file.
        kind : {"multi_select", "flag01"}
            Which flags.

        Returns
        -------
        dict of str to str

        Examples
        --------
        >>> load_codebook().flag_labels("households", "multi_select")["assist_industry"]
        'industry project'
        """
        if kind == "multi_select":
            return {
                spec["var"]: spec.get("label_short", spec["label_en"])
                for col in self.columns(file)
                if col["kind"] == "multi_select"
                for spec in col["options"].values()
            }
        if kind == "flag01":
            return {
                col["var"]: col["label_short"]
                for col in self.columns(file)
                if col["kind"] == "flag01"
            }
        raise CodebookError(f"flag kind must be 'multi_select' or 'flag01', got {kind!r}")

    def likert_labels(self, option_set: str = "agree5") -> dict[int, str]:
        """Score -> English label of a Likert option set.

        Parameters
        ----------
        option_set : str, default "agree5"
            The option set.

        Returns
        -------
        dict of int to str

        Examples
        --------
        >>> load_codebook().likert_labels()[4]
        'agree'
        """
        return dict(self.raw["option_sets"][option_set]["labels_en"])

    # ---- conventions, thresholds, lookup tables --------------------------------------
    @property
    def skip_markers(self) -> tuple[str, ...]:
        """Cell texts that mean 'skipped' (an empty cell is always missing too).

        Returns
        -------
        tuple of str

        Examples
        --------
        >>> load_codebook().skip_markers
        ('(跳过)', '（跳过）')
        """
        return tuple(self.raw["conventions"]["skip_markers"])

    @property
    def multi_select_separator(self) -> str:
        """Separator the platform puts between multi-select answers.

        Returns
        -------
        str

        Examples
        --------
        >>> load_codebook().multi_select_separator
        '┋'
        """
        return self.raw["conventions"]["multi_select_separator"]

    @property
    def thresholds(self) -> dict[str, Any]:
        """Validation thresholds (income bounds in yuan, ranges).

        Returns
        -------
        dict

        Examples
        --------
        >>> load_codebook().thresholds["income_max"]
        100000
        """
        return dict(self.raw["thresholds"])

    def villages(self) -> dict[str, dict[str, Any]]:
        """Village code -> {label_zh, township, poor_village}.

        Returns
        -------
        dict of str to dict

        Examples
        --------
        >>> load_codebook().villages()["A1"]["poor_village"]
        True
        """
        return {v["code"]: dict(v) for v in self.raw["villages"]}

    def townships(self) -> dict[str, str]:
        """Township code -> Chinese label.

        Returns
        -------
        dict of str to str

        Examples
        --------
        >>> load_codebook().townships()["Township A"]
        '甲乡'
        """
        return {t["code"]: t["label_zh"] for t in self.raw["townships"]}

    def cleaning_rules(self) -> list[dict[str, str]]:
        """Documented cleaning rules (id, rule).

        Returns
        -------
        list of dict

        Examples
        --------
        >>> load_codebook().cleaning_rules()[0]["id"]
        'encoding'
        """
        return list(self.raw["cleaning_rules"])

    def exclusion_rules(self) -> list[dict[str, str]]:
        """Documented row-exclusion rules (id, rule).

        Returns
        -------
        list of dict

        Examples
        --------
        >>> load_codebook().exclusion_rules()[0]["id"]
        'blank_row'
        """
        return list(self.raw["exclusion_rules"])

    # ---- scales ---------------------------------------------------------------------
    def scales(self) -> dict[str, dict[str, Any]]:
        """All scales of all files: name -> {file, items, reverse, label_en, scoring}.

        Returns
        -------
        dict of str to dict

        Examples
        --------
        >>> list(load_codebook().scales())
        ['precision', 'sharing', 'problems', 'formalism']
        """
        out: dict[str, dict[str, Any]] = {}
        for file in FILES:
            for name, spec in (self.file_spec(file).get("scales") or {}).items():
                out[name] = {"file": file, **spec}
        return out

    def scale_items(self, name: str) -> list[str]:
        """Item variables of scale ``name`` (e.g. ``precision``), in codebook order.

        Parameters
        ----------
        name : str
            The scale.

        Returns
        -------
        list of str

        Examples
        --------
        >>> load_codebook().scale_items("formalism")
        ['paperwork', 'inspections']
        """
        scales = self.scales()
        if name not in scales:
            raise CodebookError(f"unknown scale {name!r}; valid: {', '.join(scales)}")
        return list(scales[name]["items"])

    def reverse_items(self, name: str | None = None) -> list[str]:
        """Reverse-coded items of scale ``name``, or of all scales when ``name`` is None.

        Parameters
        ----------
        name : str, optional
            The scale; every scale when omitted.

        Returns
        -------
        list of str

        Examples
        --------
        >>> load_codebook().reverse_items()
        ['prob_5']
        """
        scales = self.scales()
        if name is not None:
            if name not in scales:
                raise CodebookError(f"unknown scale {name!r}; valid: {', '.join(scales)}")
            return list(scales[name].get("reverse") or [])
        return [item for spec in scales.values() for item in (spec.get("reverse") or [])]


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Codebook:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return Codebook(raw=raw, path=path)


def load_codebook(path: Path | str = CODEBOOK) -> Codebook:
    """Read the codebook YAML (cached per file version) and return a :class:`Codebook`.

    Parameters
    ----------
    path : path, default ``analysis.paths.CODEBOOK``
        The YAML file.

    Returns
    -------
    Codebook
        Cached per file version (path and modification time).

    Examples
    --------
    >>> load_codebook() is load_codebook()
    True
    """
    path = Path(path).resolve()
    return _load_cached(path, path.stat().st_mtime_ns)


def categories(file: str, var: str, codebook: Codebook | None = None) -> tuple[str, ...]:
    """Codes of the categorical variable ``var`` of ``file``, in codebook order.

    Examples
    --------
    >>> categories("households", "status")
    ('registered', 'exited 2016', 'exited 2017-2019', 'marginal')
    >>> categories("staff", "role")
    ('first secretary', 'township cadre', 'county office')

    Parameters
    ----------
    file : {"households", "staff", "interviews"}
        The survey file.
    var : str
        A cleaned variable name.
    codebook : Codebook, optional
        Another codebook (tests).

    Returns
    -------
    tuple of str
    """
    return tuple((codebook or load_codebook()).categories(file, var))


def likert_variables(file: str, codebook: Codebook | None = None) -> list[str]:
    """The Likert item variables of ``file``, in questionnaire order.

    Examples
    --------
    >>> likert_variables("staff")[:3]
    ['paperwork', 'inspections', 'assessment_fair']

    Parameters
    ----------
    file : {"households", "staff", "interviews"}
        The survey file.
    codebook : Codebook, optional
        Another codebook (tests).

    Returns
    -------
    list of str
    """
    book = codebook or load_codebook()
    return [c["var"] for c in book.columns(file) if c["kind"] == "likert"]


def flag_labels(file: str, kind: str, codebook: Codebook | None = None) -> dict[str, str]:
    """Flag variable -> short English label (see :meth:`Codebook.flag_labels`).

    Examples
    --------
    >>> flag_labels("households", "multi_select")["assist_training"]
    'skills training'
    >>> list(flag_labels("interviews", "flag01"))[:2]
    ['formalism', 'uniform_measures']

    Parameters
    ----------
    file : {"households", "staff", "interviews"}
        The survey file.
    kind : {"multi_select", "flag01"}
        Which flags.
    codebook : Codebook, optional
        Another codebook (tests).

    Returns
    -------
    dict of str to str
    """
    return (codebook or load_codebook()).flag_labels(file, kind)


def scale_items(name: str, codebook: Codebook | None = None) -> list[str]:
    """Item variables of scale ``name`` from the project codebook.

    Parameters
    ----------
    name : str
        The scale.
    codebook : Codebook, optional
        Another codebook (tests).

    Returns
    -------
    list of str

    Examples
    --------
    >>> scale_items("sharing")[:2]
    ['share_1', 'share_2']
    """
    return (codebook or load_codebook()).scale_items(name)


def reverse_items(name: str | None = None, codebook: Codebook | None = None) -> list[str]:
    """Reverse-coded items (of scale ``name``, or of every scale) from the project codebook.

    Parameters
    ----------
    name : str, optional
        The scale; every scale when omitted.
    codebook : Codebook, optional
        Another codebook (tests).

    Returns
    -------
    list of str

    Examples
    --------
    >>> reverse_items("problems")
    ['prob_5']
    """
    return (codebook or load_codebook()).reverse_items(name)
