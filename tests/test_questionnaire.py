"""The questionnaire appendix is rendered from the codebook: complete, literal, Chinese tagged.

Rendering is checked through Pandoc itself (the engine the book uses), so "appears" means
"appears in the text a reader sees", not merely "occurs somewhere in the markdown source".
"""

from __future__ import annotations

import copy
import html
import re

import pypandoc
import pytest
import yaml

from analysis import paths
from analysis.questionnaire import escape_markdown, questionnaire_markdown

METADATA_KINDS = {"id", "timestamp", "duration", "ip"}


@pytest.fixture(scope="module")
def codebook() -> dict:
    """The codebook parsed independently of the module under test."""
    with paths.CODEBOOK.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _plain(markdown: str) -> str:
    text = pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"])
    return " ".join(text.split())


def _html(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "html", format="markdown", extra_args=["--wrap=none"])


def _questions(codebook: dict, instrument: str) -> list[dict]:
    columns = codebook["files"][instrument]["columns"]
    return [c for c in columns if c["kind"] not in METADATA_KINDS]


def _options(codebook: dict, column: dict) -> list[tuple[str, str]]:
    """(Chinese option text, English label) pairs, computed here from the raw YAML."""
    if "option_set" in column:
        option_set = codebook["option_sets"][column["option_set"]]
        labels = option_set["labels_en"]
        return [(zh, str(labels[code])) for zh, code in option_set["options"].items()]
    labels = column.get("labels_en", {})
    pairs = []
    for zh, value in column.get("options", {}).items():
        english = value["label_en"] if isinstance(value, dict) else labels.get(value, value)
        pairs.append((zh, str(english)))
    return pairs


@pytest.mark.parametrize("instrument", ["households", "staff", "interviews"])
def test_every_question_and_option_of_the_codebook_is_shown(codebook, instrument):
    text = _plain(questionnaire_markdown(instrument, codebook))
    questions = _questions(codebook, instrument)
    assert questions, f"codebook lists no questions for {instrument}"
    for column in questions:
        assert " ".join(column["question_zh"].split()) in text, column["var"]
        assert " ".join(column["question_en"].split()) in text, column["var"]
        for zh, english in _options(codebook, column):
            # after Chinese text the colon is the full-width one, with no space after it
            glosses = (f"{zh}\uff1a{english}", f"{zh}: {english}", f"{zh} = {english}")
            assert any(g in text for g in glosses), (column["var"], zh)


def test_question_numbers_appear_in_codebook_order(codebook):
    text = _plain(questionnaire_markdown("households", codebook))
    positions = [
        text.index(" ".join(c["question_zh"].split())) for c in _questions(codebook, "households")
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize("instrument", ["households", "staff"])
def test_metadata_columns_such_as_the_ip_address_are_not_questions(codebook, instrument):
    text = _plain(questionnaire_markdown(instrument, codebook))
    assert "IP" not in text
    assert "Submission" not in text


def test_chinese_text_is_tagged_with_its_language(codebook):
    page = _html(questionnaire_markdown("households", codebook))
    first = _questions(codebook, "households")[0]
    assert f'<span lang="zh">{first["question_zh"]}\uff1a</span>' in page
    # English labels and numeric codes are not tagged as Chinese
    spans = re.findall(r'<span lang="zh">(.*?)</span>', page)
    assert spans and all(re.search(r"[\u4e00-\u9fff]", s) for s in spans)


def test_reverse_coded_item_is_marked_in_its_scale(codebook):
    text = _plain(questionnaire_markdown("households", codebook))
    reverse = codebook["files"]["households"]["scales"]["problems"]["reverse"]
    assert reverse
    for var in reverse:
        column = next(c for c in _questions(codebook, "households") if c["var"] == var)
        row_start = text.index(column["question_en"])
        assert "problems, reverse-coded" in text[row_start : row_start + 200]


NASTY = [
    '<script>alert("x")</script>',
    "*bold* and _it_ and **strong**",
    "[link](http://example.org) @cronbach1951coefficient",
    "$x^2$ ~sub~ ^sup^",
    "# not a heading",
    "a | b",
    'it\'s "quoted" -- and ...',
    "&amp; <b>bold</b>",
    "{#id .class} ::: {.callout-note}",
]


@pytest.mark.parametrize("text", NASTY)
def test_escape_markdown_prints_text_literally(text):
    assert _plain(escape_markdown(text)) == " ".join(text.split())


def test_markup_in_codebook_text_is_inert(codebook):
    doctored = copy.deepcopy(codebook)
    column = _questions(doctored, "staff")[0]
    column["question_en"] = "Role <script>alert(1)</script> *x* [y](z) @key $m$"
    column["options"] = {"<b>干部</b>": "cadre & <i>staff</i>"}
    page = _html(questionnaire_markdown("staff", doctored))
    for tag in ("<script", "<em>x</em>", "<a ", "<b>", "<i>", 'class="math', "citation"):
        assert tag not in page
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "Role <script>alert(1)</script> *x* [y](z) @key $m$" in visible
    assert "<b>干部</b>\uff1acadre & <i>staff</i>" in visible


def test_line_breaks_in_codebook_text_do_not_break_the_layout(codebook):
    doctored = copy.deepcopy(codebook)
    _questions(doctored, "staff")[5]["question_en"] = "first line\n\n- second line"
    page = _html(questionnaire_markdown("staff", doctored))
    assert "first line - second line" in page
    assert page.count("<table") == 1


def test_unknown_instrument_is_a_clear_error(codebook):
    with pytest.raises(KeyError, match="households"):
        questionnaire_markdown("villagers", codebook)


def test_unknown_option_set_names_the_column(codebook):
    doctored = copy.deepcopy(codebook)
    item = next(c for c in _questions(doctored, "staff") if c["kind"] == "likert")
    item["option_set"] = "agree7"
    with pytest.raises(ValueError, match=rf"{item['var']}.*agree7"):
        questionnaire_markdown("staff", doctored)


def test_default_codebook_is_the_project_codebook(codebook):
    assert questionnaire_markdown("staff") == questionnaire_markdown("staff", codebook)
