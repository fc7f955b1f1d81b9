"""Category orders and short labels come from ``data/codebook.yaml`` and nowhere else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analysis import codebook, inference, paths


@pytest.fixture(scope="module")
def raw() -> dict:
    with open(paths.CODEBOOK, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _column(raw: dict, file: str, var: str) -> dict:
    return next(c for c in raw["files"][file]["columns"] if c.get("var") == var)


def test_status_role_orders_are_the_codebooks_option_orders(raw):
    assert (
        tuple(_column(raw, "households", "status")["options"].values()) == inference.status_order()
    )
    assert tuple(_column(raw, "staff", "role")["options"].values()) == inference.role_order()
    assert (
        tuple(_column(raw, "interviews", "role")["options"].values()) == inference.interview_roles()
    )


def test_assistance_labels_are_the_short_label_else_the_english_label(raw):
    options = next(c for c in raw["files"]["households"]["columns"] if c["kind"] == "multi_select")[
        "options"
    ]
    expected = {o["var"]: o.get("label_short", o["label_en"]) for o in options.values()}
    assert expected == inference.assistance_labels()
    assert list(inference.assistance_labels()) == [o["var"] for o in options.values()]
    assert inference.assistance_labels()["assist_training"] == "skills training"
    assert (
        inference.assistance_labels()["assist_medical"] == "medical aid"
    )  # no label_short: label_en


def test_theme_labels_are_every_flag_columns_short_label(raw):
    flags = [c for c in raw["files"]["interviews"]["columns"] if c["kind"] == "flag01"]
    assert {c["var"]: c["label_short"] for c in flags} == inference.theme_labels()
    assert len(inference.theme_labels()) == 10


def test_an_edited_codebook_changes_the_labels_it_gives(tmp_path: Path):
    copy = tmp_path / "codebook.yaml"
    shutil.copy(paths.CODEBOOK, copy)
    text = copy.read_text(encoding="utf-8").replace(
        'label_short: "skills training"', 'label_short: "training"'
    )
    copy.write_text(text, encoding="utf-8")
    book = codebook.load_codebook(copy)
    assert codebook.flag_labels("households", "multi_select", book)["assist_training"] == (
        "training"
    )
    assert codebook.categories("households", "status", book) == inference.status_order()


def test_an_unknown_flag_kind_names_the_valid_ones():
    with pytest.raises(codebook.CodebookError, match="'multi_select' or 'flag01'"):
        codebook.flag_labels("households", "likert")
