"""Render a questionnaire from the codebook as Pandoc markdown, for the thesis appendix.

The appendix must show exactly the questions and options the loader accepts, so it is built
from ``data/codebook.yaml`` (the same file that drives cleaning) rather than typed by hand.
Chinese text is wrapped in ``[...]{lang="zh"}`` spans; every piece of codebook text is
markdown-escaped so that characters such as ``*``, ``<`` or ``@`` print literally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["escape_markdown", "questionnaire_markdown"]

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

_KIND_LABELS = {
    "single": "single choice",
    "ordinal": "single choice, ordered",
    "multi_select": "multiple choice",
    "integer": "whole number",
    "number": "number",
    "income": "amount in yuan, typed by hand",
    "text": "free text",
    "flag01": "theme coded present (1) or absent (0)",
}

_METADATA_KINDS = frozenset({"id", "timestamp", "duration", "ip"})


def escape_markdown(text: object) -> str:
    """Backslash-escape every ASCII punctuation character and flatten line breaks.

    Pandoc's markdown lets any ASCII punctuation be escaped, so the result always prints the
    text literally: no emphasis, links, citations, raw HTML, math or smart quotes.

    Parameters
    ----------
    text : object
        Any text (converted with ``str``).

    Returns
    -------
    str

    Examples
    --------
    >>> escape_markdown("*a* [b]").count(chr(92))  # a backslash before each of * * [ ]
    4
    """
    flat = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _ASCII_PUNCTUATION else ch for ch in flat)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _zh(text: object) -> str:
    """Chinese text in a ``lang="zh"`` span (codes such as "1" are left unwrapped)."""
    escaped = escape_markdown(text)
    return f'[{escaped}]{{lang="zh"}}' if _has_cjk(str(text)) else escaped


def _gloss(zh: object, en: str) -> str:
    """Chinese text and its English rendering: "您所在的乡镇：Township". After Chinese the
    colon is the full-width one, inside the Chinese span, with no space after (it holds its
    own); after a code such as "1" it is the ASCII colon and a space."""
    if _has_cjk(str(zh)):
        return f"{_zh(str(zh) + chr(0xFF1A))}{en}"
    return f"{_zh(zh)}: {en}"


def _fail(instrument: str, detail: str) -> ValueError:
    return ValueError(f"codebook, files.{instrument}: {detail}")


def _option_rows(
    column: Mapping[str, Any], option_sets: Mapping[str, Any], instrument: str
) -> list[tuple[str, str]]:
    """(Chinese option text, English label) pairs of a choice question, in codebook order."""
    if "option_set" in column:
        name = column["option_set"]
        if name not in option_sets:
            raise _fail(
                instrument, f"column {column.get('var')!r} uses unknown option_set {name!r}"
            )
        option_set = option_sets[name]
        labels = option_set.get("labels_en", {})
        return [(zh, str(labels.get(code, code))) for zh, code in option_set["options"].items()]
    options = column.get("options")
    if not options:
        raise _fail(instrument, f"column {column.get('var')!r} ({column['kind']}) has no options")
    labels = column.get("labels_en", {})
    rows = []
    for zh, value in options.items():
        if isinstance(value, Mapping):  # multi-select: option -> {var, label_en}
            rows.append((zh, str(value["label_en"])))
        else:
            rows.append((zh, str(labels.get(value, value))))
    if column.get("none_option"):
        rows.append((column["none_option"], "none of the above"))
    return rows


def _scale_of(scales: Mapping[str, Any]) -> dict[str, str]:
    """Variable name -> "scale" or "scale, reverse-coded" for every scale item."""
    membership = {}
    for name, scale in scales.items():
        reverse = set(scale.get("reverse", []))
        for item in scale.get("items", []):
            membership[item] = f"{name}, reverse-coded" if item in reverse else name
    return membership


def _question_heading(column: Mapping[str, Any]) -> str:
    number = column.get("number")
    prefix = f"**{escape_markdown(number)}\\.** " if number is not None else ""
    return (
        f"{prefix}{_gloss(column['question_zh'], escape_markdown(column['question_en']))} "
        f"*({escape_markdown(_KIND_LABELS.get(column['kind'], column['kind']))})*"
    )


def _choice_block(column, option_sets, instrument) -> list[str]:
    lines = [_question_heading(column), ""]
    for zh, en in _option_rows(column, option_sets, instrument):
        lines.append(f"- {_gloss(zh, escape_markdown(en))}")
    return [*lines, ""]


def _value_block(column: Mapping[str, Any]) -> list[str]:
    details = []
    if "range" in column:
        low, high = column["range"]
        details.append(f"valid range {escape_markdown(low)} to {escape_markdown(high)}")
    unit = column.get("unit")
    if unit and unit not in column["question_en"]:
        details.append(escape_markdown(unit))
    line = _question_heading(column)
    if details:
        line += "; " + "; ".join(details)
    return [line, ""]


def _likert_table(
    run: Sequence[Mapping[str, Any]], option_sets, membership, instrument
) -> list[str]:
    scale_rows = _option_rows(run[0], option_sets, instrument)
    answers = "; ".join(f"{_zh(zh)} = {escape_markdown(en)}" for zh, en in scale_rows)
    first, last = run[0].get("number"), run[-1].get("number")
    if first is None or last is None:
        where = ""
    elif first == last:
        where = f" for question {first}"
    else:
        where = f" for questions {first}–{last}"
    lines = [
        f"Answer scale{where}: {answers}\\.",
        "",
    ]
    noun = "Theme" if run[0]["kind"] == "flag01" else "Question"
    with_scale = any(column["var"] in membership for column in run)
    header = ["No.", f"{noun} (Chinese)", f"{noun} (English)"] + (["Scale"] if with_scale else [])
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---:|" + "---|" * (len(header) - 1))
    for number, column in enumerate(run, start=1):
        cells = [
            escape_markdown(column.get("number", number)),
            _zh(column["question_zh"]),
            escape_markdown(column["question_en"]),
        ]
        if with_scale:
            cells.append(escape_markdown(membership.get(column["var"], "")))
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def questionnaire_markdown(instrument: str, codebook: Any = None) -> str:
    """Markdown listing every question of ``instrument`` with Chinese and English text and options.

    Parameters
    ----------
    instrument : a key of ``files`` in the codebook ("households", "staff" or "interviews").
    codebook : the parsed codebook mapping, or an ``analysis.codebook.Codebook`` (its ``raw``
        mapping is used); default ``analysis.codebook.load_codebook()``.

    Returns
    -------
    Pandoc markdown (no headings): choice questions as option lists, runs of Likert items with
    the same answer scale as one table, typed answers with their valid range. Metadata columns
    (submission number, time, IP address) are left out; they are not questions.

    Examples
    --------
    >>> '[您的岗位：]{lang="zh"}Position' in questionnaire_markdown("staff").splitlines()[0]
    True
    """
    if codebook is None:
        from analysis import codebook as codebook_module  # the data layer reads the YAML

        codebook = codebook_module.load_codebook()
    codebook = getattr(codebook, "raw", codebook)
    files = codebook.get("files", {})
    if instrument not in files:
        raise KeyError(f"codebook has no instrument {instrument!r}; known: {sorted(files)}")
    spec = files[instrument]
    option_sets = codebook.get("option_sets", {})
    membership = _scale_of(spec.get("scales") or {})
    questions = [c for c in spec.get("columns", []) if c.get("kind") not in _METADATA_KINDS]
    for column in questions:
        for key in ("question_zh", "question_en", "kind"):
            if key not in column:
                raise _fail(instrument, f"column {column.get('var')!r} lacks {key!r}")

    lines: list[str] = []
    index = 0
    while index < len(questions):
        column = questions[index]
        kind = column["kind"]
        if kind in ("likert", "flag01"):
            run = [column]
            while (
                index + len(run) < len(questions)
                and questions[index + len(run)]["kind"] == kind
                and questions[index + len(run)].get("option_set") == column.get("option_set")
            ):
                run.append(questions[index + len(run)])
            lines += _likert_table(run, option_sets, membership, instrument)
            index += len(run)
            continue
        if kind in ("single", "ordinal", "multi_select"):
            lines += _choice_block(column, option_sets, instrument)
        else:
            lines += _value_block(column)
        index += 1
    return "\n".join(lines).rstrip() + "\n"
