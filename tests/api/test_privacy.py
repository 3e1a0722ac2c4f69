from __future__ import annotations

import io
import logging
import logging.config

import pytest

from api.privacy import MaskingFormatter, logging_config, mask_personal_data


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call from +420777123456 hung up", "call from +*********456 hung up"),
        ("passport_digits='123456789'", "passport_digits='******789'"),
        ("birth 05011990 read back", "birth *****990 read back"),
        ('{"caller_number": "+420777123456"}', '{"caller_number": "+*********456"}'),
        ("GET /bookings?caller_number=%2B420777123456", "GET /bookings?caller_number=%2B***"
         "******456"),
        ("passport_digits=123456789&birth_date=1990-01-05",
         "passport_digits=******789&birth_date=1990-01-05"),
    ],
)
def test_numbers_that_identify_a_person_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "call 1764270000.12 finished",  # Asterisk unique id
        "hold 3f2a9c1234567890abcdef0123456789 released",  # hex id
        "GET /offices 200 12.5ms",
        "listening on 127.0.0.1:4573",
        "2026-12-07 07:00:00,123 slot 12345 full",
    ],
)
def test_ids_times_and_small_numbers_stay_readable(text: str) -> None:
    assert mask_personal_data(text) == text


def test_the_traceback_is_masked_too() -> None:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "booking failed", None, None)
    try:
        raise ValueError("parameters: ('+420777123456', '987654321')")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    text = MaskingFormatter("%(message)s").format(record)
    assert "ValueError" in text
    assert "420777123456" not in text and "987654321" not in text


def test_the_logging_config_masks_the_root_and_uvicorn_loggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    config = logging_config("info")
    config["handlers"]["stderr"]["stream"] = stream
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        logging.config.dictConfig(config)
        logging.getLogger("uvicorn.error").error("Exception in ASGI app: %s", "+420777123456")
        logging.getLogger("ivr.agi.server").info("call (%s) hung up", "+420601234567")
    finally:
        root.handlers, root.level = saved
    output = stream.getvalue()
    assert "+*********456" in output and "+*********567" in output
    assert "420777123456" not in output and "420601234567" not in output
