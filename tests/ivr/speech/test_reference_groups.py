from __future__ import annotations

import pytest

from ivr.speech import OutOfDomain, reference_groups


@pytest.mark.parametrize(
    ("reference", "groups"),
    [
        ("47021389", ["470", "213", "89"]),  # the booking reference: 3-3-2
        ("470213891", ["470", "213", "891"]),
        ("4702138", ["470", "21", "38"]),  # never a lonely last digit
        ("4702", ["47", "02"]),
        ("47", ["47"]),
        ("4", ["4"]),
    ],
)
def test_groups_of_three_never_a_single_last_digit(reference: str, groups: list[str]) -> None:
    assert reference_groups(reference) == groups


@pytest.mark.parametrize("reference", ["", "4702-138", "47O2", "٤٧٠"])
def test_refuses_anything_but_ascii_digits(reference: str) -> None:
    with pytest.raises(OutOfDomain):
        reference_groups(reference)
