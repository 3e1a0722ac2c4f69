"""The content-addressed cache."""

from __future__ import annotations

from pathlib import Path

from prompts.audio import RenderedAudio
from prompts.cache import AudioCache, cache_key, write_atomically


def test_key_depends_on_every_part_and_their_boundaries() -> None:
    assert cache_key("v1", "espeak", "cs", "cs", "Dobrý den") == cache_key(
        "v1", "espeak", "cs", "cs", "Dobrý den"
    )
    assert cache_key("a", "bc") != cache_key("ab", "c")
    assert cache_key("v1", "espeak", "cs", "cs", "x") != cache_key("v2", "espeak", "cs", "cs", "x")


def test_an_entry_is_there_only_with_all_three_files(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path)
    assert not cache.has("k")
    cache.put("k", RenderedAudio(sln16=bytes(64_000), ulaw=b"u" * 16_000, alaw=b"a" * 16_000))
    assert cache.has("k")
    assert cache.duration_s("k") == 2.0
    cache.path("k", "alaw").unlink()
    assert not cache.has("k")


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.sln16"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.sln16"]
