"""The client's identity as a keyed fingerprint: passport digits are never stored or logged.

A booking keeps ``HMAC-SHA256(identity_key, passport_digits + "|" + birth_date)``; a caller
proves an identity by keying the same digits and date again. Without the key the fingerprint
cannot be reversed by trying every passport number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac


def identity_fingerprint(*, key: bytes, passport_digits: str, birth_date: dt.date) -> str:
    message = f"{passport_digits}|{birth_date.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same_fingerprint(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)
