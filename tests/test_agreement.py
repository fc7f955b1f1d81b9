"""Inter-coder agreement (analysis.agreement) and the simulated second coding."""

import re

import numpy as np
import pandas as pd
import pytest
from bookbuild_helpers import REPO, pdf_text, thesis_page_text
from statsmodels.stats.inter_rater import cohens_kappa

from analysis import agreement, inference, manifest, survey
from data.simulation import simulate_second_coding as second


def test_kappa_by_hand():
    # p_o = 3/4; p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2
    assert agreement.cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx((0.75, 0.5, 0.5))
    assert agreement.cohen_kappa([1, 0, 1], [1, 0, 1])[2] == pytest.approx(1.0)
    assert np.isnan(agreement.cohen_kappa([1, 1, 1], [1, 1, 1])[2])  # p_e = 1: undefined
    with pytest.raises(ValueError, match="equal length"):
        agreement.cohen_kappa([1, 0], [1])


def test_kappa_matches_statsmodels_on_random_codings():
    rng = np.random.default_rng(2)
    a = rng.random(200) < 0.4
    b = np.where(rng.random(200) < 0.15, ~a, a)
    table = pd.crosstab(a, b).to_numpy()
    assert agreement.cohen_kappa(a, b)[2] == pytest.approx(cohens_kappa(table).kappa)


def test_agreement_per_theme_and_pooled(interviews):
    second_coding = interviews.iloc[[0, 3, 12, 15, 20, 25]].copy()
    second_coding["formalism"] = ~second_coding["formalism"]  # the coders disagree on one theme
    result = agreement.agreement(interviews, second_coding)
    by = result.by_theme.set_index("theme")
    assert by.loc["formalism", "agree"] == 0
    assert by.drop("formalism")["agree"].eq(6).all()
    assert result.n_interviews == 6 and result.n_total == 30
    assert result.n_codes == 60 and result.n_agree == 54
    a = interviews.set_index("interview_id").loc[
        second_coding["interview_id"], list(inference.theme_labels())
    ]
    b = second_coding.set_index("interview_id")[list(inference.theme_labels())]
    table = pd.crosstab(a.to_numpy().ravel(), b.to_numpy().ravel()).to_numpy()
    assert result.kappa == pytest.approx(cohens_kappa(table).kappa)


def test_agreement_rejects_unknown_interviews(interviews):
    other = interviews.iloc[:2].assign(interview_id=["X01", "I01"])
    with pytest.raises(ValueError, match="X01"):
        agreement.agreement(interviews, other)


def test_second_coding_file_is_reproducible_and_in_the_manifest(tmp_path):
    out = second.write(tmp_path / "second.csv")
    assert out.read_bytes() == agreement.SECOND_CODING_CSV.read_bytes()
    listed = manifest.read_manifest()
    assert "survey/interviews_second_coding.csv" in listed


def test_second_coding_is_a_stratified_subsample_of_the_first():
    first = survey.load_interviews()
    coded = agreement.load_second_coding()
    assert set(coded["interview_id"]) <= set(first["interview_id"])
    counts = coded["role"].astype(str).value_counts()
    assert counts.to_dict() == {r: second.SUBSAMPLE_PER_ROLE for r in inference.interview_roles()}
    result = agreement.agreement(first, coded)
    # observed disagreement is close to the simulation's flip probability
    assert 1 - result.observed_agreement == pytest.approx(second.P_DISAGREE, abs=0.06)


# ---- the rendered thesis ------------------------------------------------------------------


def test_thesis_reports_kappa_as_computed_independently():
    first = survey.load_interviews().set_index("interview_id")
    coded = agreement.load_second_coding().set_index("interview_id")
    themes = list(inference.theme_labels())
    a = first.loc[coded.index, themes].to_numpy().ravel()
    b = coded[themes].to_numpy().ravel()
    kappa = cohens_kappa(pd.crosstab(a, b).to_numpy()).kappa
    expected = f"Cohen\u2019s κ = {kappa:.2f}"  # smart punctuation
    assert expected in thesis_page_text("05-findings")
    assert f"{int((a == b).sum())} of {a.size}" in thesis_page_text("05-findings")
    assert re.search(rf"all themes pooled .*? {kappa:.2f}", thesis_page_text("e-statistics"))
    assert f"κ = {kappa:.2f}" in pdf_text(REPO / "_book" / "thesis.pdf")


def test_simulation_parameters_read_from_source_equal_the_imported_values(tmp_path):
    from analysis import simparams
    from data.simulation import simulate_survey

    assert simparams.parameter("P_DISAGREE", "simulate_second_coding") == second.P_DISAGREE
    assert simparams.parameter("RHO_SHARING_PRECISION") == simulate_survey.RHO_SHARING_PRECISION
    assert simparams.parameter("SEED") == simulate_survey.SEED
    with pytest.raises(KeyError, match="NO_SUCH"):
        simparams.parameter("NO_SUCH")
    (tmp_path / "s.py").write_text("X = 1\nY = f(2)\n", "utf-8")
    with pytest.raises(ValueError, match="line 2: Y is not a literal"):
        simparams.parameter("Y", "s", folder=tmp_path)
