"""gTTS with its HTTP layer mocked by `responses` (no Google from here): the real wiring
through the gtts library, throttling, and backoff on HTTP 429."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import responses

from prompts.audio import SoxConverter
from prompts.backends import RateLimitedError, SynthesisError
from prompts.backends.gtts import GttsBackend, Throttle, fetch_with_gtts
from prompts.build import PromptBuilder
from prompts.cache import AudioCache
from prompts.catalog import Catalog
from prompts.manifest import Manifest
from prompts.recorded import RecordedPrompts
from prompts.settings import PromptSettings
from tests.prompts.conftest import catalog_slice, espeak_wav

URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(scope="module")
def mp3() -> bytes:
    """A spoken MP3, made offline with espeak-ng and sox's mp3 writer."""
    return subprocess.run(
        ["sox", "-t", "wav", "-", "-t", "mp3", "-"],
        input=espeak_wav("hello, this is a test"), capture_output=True, check=True,
    ).stdout


def google_reply(mp3: bytes) -> str:
    payload = base64.b64encode(mp3).decode("ascii")
    return ')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]\n'


def sent_text_and_lang(body: str | bytes | None) -> list[str]:
    assert body is not None
    text = body.decode() if isinstance(body, bytes) else body
    rpc = json.loads(urllib.parse.unquote(text.removeprefix("f.req=").rstrip("&")))
    return list(json.loads(rpc[0][0][1])[:2])


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def backend(fake: FakeTime, *, interval: float = 1.0, retries: int = 2) -> GttsBackend:
    return GttsBackend(
        fetch_mp3=fetch_with_gtts,
        throttle=Throttle(min_interval_s=interval, clock=fake.clock, sleep=fake.sleep),
        converter=SoxConverter(),
        max_retries=retries,
        backoff_s=2.0,
        sleep=fake.sleep,
    )


@responses.activate
def test_round_trip_sends_text_and_language_and_returns_wav(mp3: bytes) -> None:
    responses.post(URL, body=google_reply(mp3))
    settings = PromptSettings(backend="gtts", gtts_min_interval_s=0)
    wav = GttsBackend.from_settings(settings).synthesise("Dobrý den", "cs")
    assert wav.startswith(b"RIFF") and len(wav) > 10_000
    assert sent_text_and_lang(responses.calls[0].request.body) == ["Dobrý den", "cs"]


@responses.activate
def test_http_429_backs_off_exponentially_then_succeeds(mp3: bytes) -> None:
    responses.post(URL, status=429)
    responses.post(URL, status=429)
    responses.post(URL, body=google_reply(mp3))
    fake = FakeTime()
    wav = backend(fake, interval=0).synthesise("hello", "en")
    assert wav.startswith(b"RIFF")
    assert len(responses.calls) == 3
    assert fake.sleeps == [2.0, 4.0]


@responses.activate
def test_http_429_on_every_attempt_is_rate_limited() -> None:
    responses.post(URL, status=429)
    with pytest.raises(RateLimitedError, match="429 on all 3 attempts"):
        backend(FakeTime(), retries=2).synthesise("hello", "en")
    assert len(responses.calls) == 3


@responses.activate
def test_other_http_errors_fail_at_once() -> None:
    responses.post(URL, status=500)
    with pytest.raises(SynthesisError, match="gTTS failed for en"):
        backend(FakeTime()).synthesise("hello", "en")
    assert len(responses.calls) == 1


@responses.activate
def test_requests_are_throttled(mp3: bytes) -> None:
    responses.post(URL, body=google_reply(mp3))
    fake = FakeTime()
    gtts = backend(fake, interval=1.5)
    gtts.synthesise("one", "en")
    fake.now += 0.5  # the conversion took half a second
    gtts.synthesise("two", "en")
    gtts.synthesise("three", "en")
    assert fake.sleeps == [1.0, 1.5]


def test_throttle_does_not_wait_when_enough_time_has_passed() -> None:
    fake = FakeTime()
    throttle = Throttle(min_interval_s=1.0, clock=fake.clock, sleep=fake.sleep)
    throttle.wait()
    fake.now += 3
    throttle.wait()
    assert fake.sleeps == []


def test_unmapped_language_is_a_synthesis_error() -> None:
    with pytest.raises(SynthesisError, match="'de'"):
        backend(FakeTime()).voice("de")


@responses.activate
def test_build_with_gtts_runs_in_this_process_and_records_the_backend(
    mp3: bytes, small_catalog: Catalog, tmp_path: Path
) -> None:
    responses.post(URL, body=google_reply(mp3))
    one = catalog_slice(small_catalog, ["option-1"])
    builder = PromptBuilder(
        backend=backend(FakeTime(), interval=0),
        recorded=RecordedPrompts(tmp_path / "recorded"),
        cache=AudioCache(tmp_path / "cache"),
        converter=SoxConverter(),
        jobs=2,
    )
    report = builder.build(one, out_dir=tmp_path / "sounds", languages=["cs", "vi"])
    assert report.rendered == 2
    assert [sent_text_and_lang(call.request.body)[1] for call in responses.calls] == ["cs", "vi"]
    entry = Manifest.load(tmp_path / "sounds").entry("option-1", "vi")
    assert (entry.backend, entry.voice) == ("gtts", "vi")


@responses.activate
def test_a_marked_part_is_fetched_in_its_language_and_joined(mp3: bytes) -> None:
    responses.post(URL, body=google_reply(mp3))
    whole = backend(FakeTime(), interval=0).synthesise("Để chọn {cs:Praha}, bấm phím một.", "vi")
    sent = [sent_text_and_lang(call.request.body) for call in responses.calls]
    assert [lang for _, lang in sent] == ["vi", "cs", "vi"]
    assert [text.strip(" ,") for text, _ in sent] == ["Để chọn", "Praha", "bấm phím một."]
    one = SoxConverter().mp3_to_wav(mp3, what="one part")
    # three parts of the same audio at 16 kHz: about three times one part at 24 kHz * 2/3
    assert whole.startswith(b"RIFF") and 1.8 * len(one) < len(whole) < 2.2 * len(one)
