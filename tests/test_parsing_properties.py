"""Property tests (hypothesis) of the multi-select parser: any set of options, in any order,
with any spacing around the separator, comes back as exactly those flags; a repeated,
unknown or combined "none of the above" answer is always an error, never a silent guess.

The income parser's properties are in test_parsing.py; this file adds the multi-select ones.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import parsing
from analysis.parsing import MULTI_SEPARATOR, ParseError

OPTIONS = {
    "产业扶贫项目": "assist_industry",
    "技能培训": "assist_training",
    "小额信贷": "assist_microcredit",
    "教育资助": "assist_education",
    "分红": "assist_dividend",
}
NONE = "以上都没有"
spaces = st.sampled_from(["", " ", "  ", "\u3000"])
chosen = st.lists(st.sampled_from(sorted(OPTIONS)), min_size=1, unique=True)


def joined(parts: list[str], pads: list[tuple[str, str]]) -> str:
    return MULTI_SEPARATOR.join(f"{a}{p}{b}" for p, (a, b) in zip(parts, pads, strict=True))


@given(parts=chosen, data=st.data())
def test_any_choice_round_trips_to_its_flags(parts: list[str], data) -> None:
    pads = data.draw(st.lists(st.tuples(spaces, spaces), min_size=len(parts), max_size=len(parts)))
    cell = joined(parts, pads)
    assert parsing.split_multi_select(cell) == parts
    flags = parsing.parse_multi_select(cell, OPTIONS, NONE)
    assert flags == {flag: text in parts for text, flag in OPTIONS.items()}


@given(parts=chosen)
def test_order_does_not_matter(parts: list[str]) -> None:
    forward = parsing.parse_multi_select(MULTI_SEPARATOR.join(parts), OPTIONS, NONE)
    backward = parsing.parse_multi_select(MULTI_SEPARATOR.join(parts[::-1]), OPTIONS, NONE)
    assert forward == backward


@given(parts=chosen, where=st.integers(min_value=0))
def test_a_repeated_option_is_an_error(parts: list[str], where: int) -> None:
    repeated = [*parts, parts[where % len(parts)]]
    with pytest.raises(ParseError, match="repeated"):
        parsing.parse_multi_select(MULTI_SEPARATOR.join(repeated), OPTIONS, NONE)


@given(parts=chosen, where=st.integers(min_value=0))
def test_none_of_the_above_must_stand_alone(parts: list[str], where: int) -> None:
    mixed = list(parts)
    mixed.insert(where % (len(parts) + 1), NONE)
    with pytest.raises(ParseError, match="combined"):
        parsing.parse_multi_select(MULTI_SEPARATOR.join(mixed), OPTIONS, NONE)
    assert parsing.parse_multi_select(NONE, OPTIONS, NONE) == dict.fromkeys(OPTIONS.values(), False)


@given(
    parts=chosen,
    stranger=st.text(
        st.characters(blacklist_characters=MULTI_SEPARATOR, blacklist_categories=("Cs",)),
        min_size=1,
    )
    .map(str.strip)
    .filter(lambda s: s and s not in OPTIONS and s != NONE and not parsing.is_missing(s)),
    where=st.integers(min_value=0),
)
def test_an_unknown_option_is_named_in_the_error(parts, stranger, where) -> None:
    mixed = list(parts)
    mixed.insert(where % (len(parts) + 1), stranger)
    with pytest.raises(ParseError) as info:
        parsing.parse_multi_select(MULTI_SEPARATOR.join(mixed), OPTIONS, NONE)
    assert repr(stranger) in str(info.value)
