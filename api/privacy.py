"""Personal data never reaches a log file: every formatted log line is masked on its way out.

Callers' numbers and passport digits travel through many layers (the AGI environment, the
flow's requests, the slot client's bodies, SQLAlchemy's error messages with their bound
parameters, tracebacks). Masking each call site would miss the next one someone adds, so the
two long-running commands (``slot-service serve``, ``ivr serve``) format every record, traceback
included, through :class:`MaskingFormatter`, which masks any run of six or more digits that
stands alone (optionally with a leading ``+`` or its URL form ``%2B``, as in httpx's request
log lines): ``+420777123456`` becomes ``+*********456``.
Runs glued to letters or dots (hex ids, Asterisk unique ids such as ``1764270000.12``) and
shorter numbers (ports, durations, slot ids) stay readable. Booking references (8 digits) are
masked too: together with a caller number they open a booking.

No library does this for the standard ``logging`` module; it is one regular expression.
"""

from __future__ import annotations

import logging
import re
from typing import Any

PERSONAL_NUMBER = re.compile(r"(?<![\w.])(\+|%2[Bb])?(\d{3,})(\d{3})(?![\w.])")
MIN_MASKED_DIGITS = 6
KEEP_LAST_DIGITS = 3


def _mask(match: re.Match[str]) -> str:
    plus, hidden, kept = match.group(1) or "", match.group(2), match.group(3)
    return f"{plus}{'*' * len(hidden)}{kept}"


def mask_personal_data(text: str) -> str:
    """``text`` with every stand-alone run of six or more digits masked but its last three."""
    return PERSONAL_NUMBER.sub(_mask, text)


class MaskingFormatter(logging.Formatter):
    """A ``logging.Formatter`` whose whole output (message, arguments, traceback) is masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: root and uvicorn's loggers on stderr, masked.

    Passed to ``uvicorn.run(log_config=…)`` so that every worker process applies it too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"masked": {"()": f"{__name__}.MaskingFormatter", "format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "masked",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": level.upper()}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
