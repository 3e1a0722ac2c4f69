"""sox conversion and the speech checks."""

from __future__ import annotations

import struct
import subprocess

import pytest

from prompts.audio import (
    PAD_AFTER_S,
    PAD_BEFORE_S,
    ConversionError,
    SilentAudioError,
    SoxConverter,
    check_speech,
    sln16_duration_s,
    sln16_rms,
)
from tests.prompts.conftest import espeak_wav, require_tools


def test_rms_and_duration_of_raw_samples() -> None:
    samples = struct.pack("<4h", 1000, -1000, 1000, -1000)
    assert sln16_rms(samples) == pytest.approx(1000)
    assert sln16_rms(b"") == 0
    assert sln16_duration_s(bytes(32_000)) == 1.0


def test_silence_and_too_short_audio_are_refused() -> None:
    with pytest.raises(SilentAudioError, match="silent"):
        check_speech(bytes(32_000), what="cs/ivr/x")
    loud_but_short = struct.pack("<h", 8000) * 4000  # 0.25 s, padding (0.15 s) included
    with pytest.raises(SilentAudioError, match="only"):
        check_speech(loud_but_short, what="cs/ivr/x")


def test_render_is_deterministic_and_in_the_three_formats() -> None:
    require_tools()
    wav = espeak_wav("press one")
    first = SoxConverter().render(wav, what="en/ivr/option-1")
    assert first == SoxConverter().render(wav, what="en/ivr/option-1")
    assert len(first.ulaw) == len(first.alaw) == len(first.sln16) // 4
    assert first.ulaw != first.alaw
    peak = max(abs(s) for s in struct.unpack(f"<{len(first.sln16) // 2}h", first.sln16))
    assert 20_000 < peak < 32_767  # normalised to -3 dBFS: loud, with headroom


def test_silence_at_the_ends_is_trimmed_before_the_padding() -> None:
    require_tools()
    wav = espeak_wav("press one")
    padded = subprocess.run(  # a second of silence more at each end
        ["sox", "-D", "-t", "wav", "-", "-t", "wav", "-", "pad", "1", "1"],
        input=wav, capture_output=True, check=True,
    ).stdout
    plain = SoxConverter().render(wav, what="en/ivr/option-1")
    from_padded = SoxConverter().render(padded, what="en/ivr/option-1")
    assert from_padded.duration_s == pytest.approx(plain.duration_s, abs=0.01)
    # espeak-ng's own pauses are gone too: the file is shorter than espeak's WAV
    espeak_s = (len(wav) - 44) / (2 * 22_050)
    assert plain.duration_s < espeak_s
    lead = int(PAD_BEFORE_S * 16_000) * 2
    assert plain.sln16[:lead] == bytes(lead)  # the pad is digital silence
    assert plain.sln16[lead : lead + 320] != bytes(320)  # and speech starts right after it
    assert plain.sln16[-int(PAD_AFTER_S * 16_000) * 2 :] == bytes(int(PAD_AFTER_S * 16_000) * 2)


def test_sox_errors_name_the_prompt() -> None:
    require_tools()
    with pytest.raises(ConversionError, match="en/ivr/x: sox"):
        SoxConverter().render(b"not a wav", what="en/ivr/x")
    with pytest.raises(ConversionError, match="could not run"):
        SoxConverter(binary="/nonexistent/sox").render(b"", what="en/ivr/x")
