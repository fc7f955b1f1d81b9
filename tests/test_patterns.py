"""The patterns built into the survey simulation (protocol section 6) are recovered by the
analysis functions on the project's simulated data (data/raw/survey, read by analysis.survey).

These tests check that the analysis finds what the simulation planted: a regression test of the
pair (simulation, analysis), not evidence about Lankao.
"""

import pytest

from analysis import inference, paths, scales

survey = pytest.importorskip("analysis.survey")

pytestmark = pytest.mark.skipif(
    not (paths.RAW_SURVEY / "households.csv").is_file(), reason="simulated survey not written"
)


@pytest.fixture(scope="module")
def households():
    return scales.score_scales(survey.load_households())


@pytest.fixture(scope="module")
def staff_frame():
    return survey.load_staff()


@pytest.fixture(scope="module")
def interview_frame():
    return survey.load_interviews()


def test_incomes_rise_two_to_threefold_for_registered_less_for_marginal(households):
    registered = inference.income_change(households, registered=True)
    marginal = inference.income_change(households, registered=False)
    assert 2.0 <= registered.median_ratio <= 3.0
    assert marginal.median_ratio < registered.median_ratio
    assert registered.p_value < 0.001 and registered.rank_biserial > 0.5


def test_marginal_households_rate_precision_lower_with_moderate_effect(households):
    result = inference.marginal_vs_registered(households)
    assert result.median_marginal < result.median_registered
    assert result.p_value < 0.05
    # moderate: |r| around 0.3 (between small 0.1 and large 0.5)
    assert -0.5 < result.rank_biserial < -0.2
    assert inference.precision_by_status(households).p_value < 0.05


def test_assistance_mix_depends_only_weakly_on_cause(households):
    association = inference.cause_assistance(households)
    assert association.cramers_v < 0.2
    shares = inference.assistance_by_cause(households)
    top = shares.loc[shares.groupby("cause")["share"].idxmax(), "assistance"]
    assert set(top) <= {"industry project", "asset-income dividend"}


def test_first_secretaries_report_most_formalism_rising_with_hours(staff_frame):
    result = inference.staff_formalism(staff_frame)
    assert result.highest_role == "first secretary"
    assert result.rho > 0 and result.rho_p_value < 0.05
    assert (result.means["formalism"] > 3).all()  # rated high by every role


def test_a_minority_would_rather_wait_and_they_grew_less(households):
    result = inference.waiting_mindset(households)
    assert 0.2 <= result.share_agree <= 0.3
    assert result.median_growth_agree < result.median_growth_others
    assert result.p_value < 0.05


def test_scales_are_reliable(households, staff_frame):
    table = scales.reliability(households)
    assert ((table["alpha"] >= 0.65) & (table["alpha"] <= 0.9)).all()
    assert 0.65 <= scales.cronbach(staff_frame, "formalism").alpha <= 0.9


def test_satisfaction_rises_with_precision_and_sharing_falls_with_problems(households):
    coefs = inference.satisfaction_model(households).coefficients.set_index("term")
    assert coefs.at["precision", "coef"] > 0 and coefs.at["precision", "p_value"] < 0.05
    assert coefs.at["sharing", "coef"] > 0 and coefs.at["sharing", "p_value"] < 0.05
    assert coefs.at["problems", "coef"] < 0 and coefs.at["problems", "p_value"] < 0.05


def test_interview_matrix_has_the_protocol_roles(interview_frame):
    themes = inference.interview_themes(interview_frame)
    sizes = themes.drop_duplicates("role").set_index("role")["n_interviews"].to_dict()
    assert sizes == {"household head": 12, "first secretary": 8, "staff": 10}
