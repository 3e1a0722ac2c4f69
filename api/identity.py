"""The client's identity as a keyed fingerprint: passport digits are never stored or logged.

A booking keeps ``HMAC-SHA256(identity_key, passport_digits + "|" + birth_date)``; a caller
proves an identity by keying the same digits and date again. Without the key the fingerprint
cannot be reversed by trying every passport number.

The passport digits are the passport number **without its letters** (a keypad has none: a
Ukrainian ``FE123456`` is ``123456``, a Vietnamese ``C1234567`` is ``1234567``), 4 to 20 of
them: ``PASSPORT_DIGITS_PATTERN``, the one limit the slot service, the call flow and the
operator console share (docs/call-flow.md, "Passports with letters").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Final

PASSPORT_MIN_DIGITS: Final = 4
PASSPORT_MAX_DIGITS: Final = 20
PASSPORT_DIGITS_PATTERN: Final = rf"^[0-9]{{{PASSPORT_MIN_DIGITS},{PASSPORT_MAX_DIGITS}}}$"


def identity_fingerprint(*, key: bytes, passport_digits: str, birth_date: dt.date) -> str:
    message = f"{passport_digits}|{birth_date.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same_fingerprint(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)
