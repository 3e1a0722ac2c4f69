from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.references import REFERENCE_LENGTH, is_valid_reference, new_reference

references = st.builds(lambda _: new_reference(), st.integers())


@given(references)
def test_new_references_are_8_valid_digits(reference: str) -> None:
    assert len(reference) == REFERENCE_LENGTH
    assert reference.isdigit()
    assert is_valid_reference(reference)


@given(references, st.integers(0, REFERENCE_LENGTH - 1), st.integers(1, 9))
def test_one_wrong_digit_is_caught(reference: str, position: int, shift: int) -> None:
    wrong = str((int(reference[position]) + shift) % 10)
    typo = reference[:position] + wrong + reference[position + 1 :]
    assert not is_valid_reference(typo)


@given(references, st.integers(0, REFERENCE_LENGTH - 2))
def test_any_adjacent_swap_is_caught(reference: str, position: int) -> None:
    a, b = reference[position], reference[position + 1]
    swapped = reference[:position] + b + a + reference[position + 2 :]
    assert (swapped == reference) or not is_valid_reference(swapped)


def test_every_single_error_and_swap_exhaustively_for_one_reference() -> None:
    reference = "1234567" + "0"
    reference = reference[:7] + next(
        d for d in "0123456789" if is_valid_reference(reference[:7] + d)
    )
    for position in range(8):
        for digit in "0123456789":
            if digit != reference[position]:
                assert not is_valid_reference(
                    reference[:position] + digit + reference[position + 1 :]
                )


def test_malformed_references_are_invalid() -> None:
    assert not is_valid_reference("1234567")
    assert not is_valid_reference("123456789")
    assert not is_valid_reference("1234567a")
    assert not is_valid_reference("١٢٣٤٥٦٧٨")  # non-ASCII digits
