"""Booking references: 7 random digits and a Damm check digit.

Why Damm: its check digit detects every single wrong digit and every swap of two adjacent
digits, the two mistakes a caller makes keying a number back on a phone, with one 10×10 table
and no special cases (Verhoeff catches the same errors but needs three tables; Luhn misses the
09 ↔ 90 swap). The arithmetic comes from ``python-stdnum`` (``stdnum.damm``), a well-kept
library, rather than being written here.
"""

from __future__ import annotations

import secrets

from stdnum import damm

REFERENCE_LENGTH = 8


def new_reference() -> str:
    body = f"{secrets.randbelow(10 ** (REFERENCE_LENGTH - 1)):0{REFERENCE_LENGTH - 1}d}"
    return body + str(damm.calc_check_digit(body))


def is_valid_reference(reference: str) -> bool:
    return (
        len(reference) == REFERENCE_LENGTH
        and reference.isascii()
        and reference.isdigit()
        and damm.is_valid(reference)
    )
