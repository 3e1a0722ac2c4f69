"""A real build of a slice of the catalog with espeak-ng and sox (about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.audio import (
    FORMATS,
    MIN_SPEECH_RMS,
    PAD_AFTER_S,
    PAD_BEFORE_S,
    sln16_duration_s,
    sln16_rms,
)
from prompts.build import BuildError, BuildReport
from prompts.catalog import Catalog
from prompts.manifest import Manifest
from tests.prompts.conftest import catalog_slice, espeak_wav, make_builder, tree_bytes

MIN_FILE_S = PAD_BEFORE_S + PAD_AFTER_S + 0.2


@pytest.fixture(scope="module")
def first_build(small_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[Path, BuildReport]:
    tmp = tmp_path_factory.mktemp("build")
    report = make_builder(tmp).build(small_catalog, out_dir=tmp / "sounds")
    return tmp, report


def test_every_prompt_in_every_language_and_format(
    small_catalog: Catalog, first_build: tuple[Path, BuildReport]
) -> None:
    tmp, report = first_build
    assert report.rendered == report.prompts == len(small_catalog.ids) * 5
    built = set(tree_bytes(tmp / "sounds"))
    expected = {
        f"{language}/ivr/{prompt_id}.{audio_format}"
        for language in small_catalog.languages
        for prompt_id in small_catalog.ids
        for audio_format in FORMATS
    }
    assert built == expected | {"manifest.json"}


def test_every_file_is_long_enough_and_not_silence(first_build: tuple[Path, BuildReport]) -> None:
    tmp, _ = first_build
    for path in (tmp / "sounds").rglob("*.sln16"):
        sln16 = path.read_bytes()
        assert sln16_duration_s(sln16) >= MIN_FILE_S, path
        assert sln16_rms(sln16) > MIN_SPEECH_RMS, path
        seconds = sln16_duration_s(sln16)
        for narrow in ("ulaw", "alaw"):
            samples = path.with_suffix(f".{narrow}").stat().st_size
            assert abs(samples / 8000 - seconds) < 0.01, path
            # G.711 of silence is one repeated byte; speech is not
            assert len(set(path.with_suffix(f".{narrow}").read_bytes())) > 50


def test_manifest_says_backend_voice_and_duration(
    small_catalog: Catalog, first_build: tuple[Path, BuildReport]
) -> None:
    tmp, report = first_build
    manifest = Manifest.load(tmp / "sounds")
    assert manifest == report.manifest
    entry = manifest.entry("welcome", "en")
    assert (entry.backend, entry.voice) == ("espeak", "en-gb -s 170")
    sln16 = (tmp / "sounds/en/ivr/welcome.sln16").read_bytes()
    assert manifest.duration_s("welcome", "en") == pytest.approx(sln16_duration_s(sln16), abs=1e-3)
    assert {language for language in manifest.prompts} == set(small_catalog.languages)


def test_rebuild_from_cache_is_byte_identical(
    small_catalog: Catalog, first_build: tuple[Path, BuildReport]
) -> None:
    tmp, report = first_build
    again = make_builder(tmp).build(small_catalog, out_dir=tmp / "sounds-again")
    assert (again.rendered, again.from_cache) == (0, report.prompts)
    assert tree_bytes(tmp / "sounds-again") == tree_bytes(tmp / "sounds")


def test_rebuild_without_cache_is_byte_identical(
    small_catalog: Catalog, first_build: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    tmp, _ = first_build
    serial = make_builder(tmp_path, jobs=1).build(small_catalog, out_dir=tmp_path / "sounds")
    assert serial.rendered == serial.prompts
    assert tree_bytes(tmp_path / "sounds") == tree_bytes(tmp / "sounds")


def test_rebuild_in_place_touches_nothing(
    small_catalog: Catalog, first_build: tuple[Path, BuildReport]
) -> None:
    tmp, report = first_build
    before = {p: p.stat().st_mtime_ns for p in (tmp / "sounds").rglob("*")}
    again = make_builder(tmp).build(small_catalog, out_dir=tmp / "sounds")
    assert (again.unchanged, again.rendered, again.removed) == (report.prompts, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in (tmp / "sounds").rglob("*")} == before


def test_changed_text_renders_only_that_prompt_and_stale_files_go(
    small_catalog: Catalog, tmp_path: Path
) -> None:
    builder = make_builder(tmp_path)
    out = tmp_path / "sounds"
    builder.build(small_catalog, out_dir=out)
    old_welcome = (out / "cs/ivr/welcome.sln16").read_bytes()
    changed = {**small_catalog.texts, "welcome": {**small_catalog.texts["welcome"],
                                                  "cs": "Dobrý večer."}}
    edited = Catalog(texts=changed, languages=small_catalog.languages,
                     sources=small_catalog.sources)
    report = builder.build(edited, out_dir=out)
    assert (report.rendered, report.unchanged) == (1, report.prompts - 1)
    assert (out / "cs/ivr/welcome.sln16").read_bytes() != old_welcome

    without_option = catalog_slice(edited, [i for i in edited.ids if i != "option-1"])
    report = builder.build(without_option, out_dir=out)
    assert report.removed == 5 * len(FORMATS)
    assert not list(out.rglob("option-1.*"))
    assert "option-1" not in Manifest.load(out).prompts["cs"]


def test_building_some_languages_keeps_the_others_in_the_manifest(
    small_catalog: Catalog, tmp_path: Path
) -> None:
    builder = make_builder(tmp_path)
    out = tmp_path / "sounds"
    builder.build(small_catalog, out_dir=out, languages=["cs", "vi"])
    report = builder.build(small_catalog, out_dir=out, languages=["en"])
    assert report.prompts == len(small_catalog.ids)
    assert set(Manifest.load(out).prompts) == {"cs", "vi", "en"}
    with pytest.raises(BuildError, match="not in the catalog: de"):
        builder.build(small_catalog, out_dir=out, languages=["de"])


def test_recording_wins_over_tts_and_its_change_rebuilds_it(
    small_catalog: Catalog, tmp_path: Path
) -> None:
    recorded = tmp_path / "recorded"
    (recorded / "cs").mkdir(parents=True)
    (recorded / "cs/welcome.wav").write_bytes(espeak_wav("A studio voice says welcome."))
    builder = make_builder(tmp_path, recorded=recorded)
    out = tmp_path / "sounds"
    builder.build(small_catalog, out_dir=out)
    manifest = Manifest.load(out)
    assert manifest.entry("welcome", "cs").backend == "recorded"
    assert manifest.entry("welcome", "cs").voice == "welcome.wav"
    assert manifest.entry("welcome", "en").backend == "espeak"
    first = (out / "cs/ivr/welcome.sln16").read_bytes()

    (recorded / "cs/welcome.wav").write_bytes(espeak_wav("Another take."))
    report = builder.build(small_catalog, out_dir=out)
    assert report.rendered == 1
    assert (out / "cs/ivr/welcome.sln16").read_bytes() != first


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_silent_recording_fails_the_build_naming_it(
    small_catalog: Catalog, tmp_path: Path, jobs: int
) -> None:
    recorded = tmp_path / "recorded"
    (recorded / "uk").mkdir(parents=True)
    silence = espeak_wav("x")[:44] + bytes(22050 * 2)  # a WAV header, then a second of zeros
    (recorded / "uk/option-1.wav").write_bytes(silence)
    with pytest.raises(BuildError, match=r"uk/ivr/option-1: .*silent"):
        make_builder(tmp_path, recorded=recorded, jobs=jobs).build(
            small_catalog, out_dir=tmp_path / "sounds"
        )


def test_a_failed_build_leaves_no_manifest_vouching_for_replaced_files(
    small_catalog: Catalog, tmp_path: Path
) -> None:
    out = tmp_path / "sounds"
    make_builder(tmp_path).build(small_catalog, out_dir=out)
    recorded = tmp_path / "recorded"
    (recorded / "cs").mkdir(parents=True)
    (recorded / "cs/welcome.wav").write_bytes(b"RIFF but not audio")
    with pytest.raises(BuildError, match="cs/ivr/welcome"):
        make_builder(tmp_path, recorded=recorded).build(small_catalog, out_dir=out)
    assert not (out / "manifest.json").exists()
    (recorded / "cs/welcome.wav").unlink()
    report = make_builder(tmp_path, recorded=recorded).build(small_catalog, out_dir=out)
    assert (report.rendered, report.from_cache) == (0, report.prompts)
