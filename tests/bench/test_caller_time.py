"""bench/caller_time.py: the real flow driven for both callers, summed over a synthetic manifest
(every prompt of the catalog, durations chosen so the arithmetic can be checked by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.caller_time import (
    PASSPORT,
    REFERENCE,
    Seed,
    caller_time,
    caller_times,
    expert_listener,
    first_time_listener,
    main,
)
from ivr.flow.actions import Prompt
from prompts.catalog import UnknownPromptError, load_catalog
from prompts.manifest import Manifest, ManifestEntry

LANGUAGES = ("cs", "en", "uk", "ru", "vi")


def manifest(
    seconds: dict[tuple[str, str], float] | None = None, *, default_s: float = 1.0
) -> Manifest:
    """Every catalog prompt in every language lasts ``default_s``, except those given."""
    seconds = seconds or {}
    ids = load_catalog().ids
    return Manifest(
        pipeline="test",
        formats=("sln16",),
        prompts={
            language: {
                prompt_id: ManifestEntry(
                    backend="espeak", voice="x", key="k",
                    duration_s=seconds.get((prompt_id, language), default_s),
                )
                for prompt_id in ids
            }
            for language in LANGUAGES
        },
    )


@pytest.fixture(scope="module")
def seed() -> Seed:
    return Seed.load()


def ids(prompts: tuple[Prompt, ...]) -> list[str]:
    return [prompt.id for prompt in prompts]


def test_the_first_time_caller_hears_every_prompt_of_the_booking(seed: Seed) -> None:
    heard = caller_time(manifest(), language="en", listener=first_time_listener, seed=seed)
    spoken = ids(heard.prompts)
    assert heard.seconds == len(spoken)  # one second each
    assert spoken[:6] == ["welcome", *["language-option"] * 5]
    assert [p.language for p in heard.prompts[:6]] == ["cs", *LANGUAGES]
    assert all(p.language == "en" for p in heard.prompts[6:])
    visits = seed.visit_types["praha-zukovskeho"]
    menu = spoken.index("visit-type-menu")
    assert spoken[menu + 1 : menu + 1 + 2 * len(visits)] == [
        name for number, visit in enumerate(visits, start=1)
        for name in (f"visit-{visit.code}", f"option-{number}")
    ]
    assert spoken[-1] == "goodbye" and spoken[-2] == "reference-menu"
    for prompt_id in ("region-menu", "office-menu", "passport-prompt", "birthdate-prompt",
                      "confirm-menu", "searching", "slot-menu", "reference-again"):
        assert spoken.count(prompt_id) == 1, prompt_id
    assert spoken.count("booking-confirmed") == 1


def test_the_expert_hears_only_what_he_must_check(seed: Seed) -> None:
    first = caller_time(manifest(), language="en", listener=first_time_listener, seed=seed)
    expert = caller_time(manifest(), language="en", listener=expert_listener, seed=seed)
    spoken = ids(expert.prompts)
    assert spoken[0] == "readback-passport"  # nothing of the menus and questions before
    for menu in ("welcome", "language-option", "region-menu", "office-menu", "visit-type-menu",
                 "passport-prompt", "birthdate-prompt", "confirm-menu", "slot-menu",
                 "reference-again", "reference-menu"):
        assert menu not in spoken, menu
    assert spoken[-1] == "goodbye" and "searching" in spoken  # not interruptible
    readback = spoken[1 : spoken.index("readback-birthdate")]
    assert len(readback) == len(PASSPORT)  # one fragment per passport digit
    # what was booked, then the reference once: the fragments after booking-reference
    booked = spoken[spoken.index("booking-confirmed") + 1 : spoken.index("booking-reference")]
    assert booked[0].startswith("weekday-") and booked[-2:] == [
        "slot-offer-office", "office-praha-zukovskeho"]
    once = spoken[spoken.index("booking-reference") + 1 : -1]
    first_spoken = ids(first.prompts)
    start = first_spoken.index("booking-reference") + 1
    assert first_spoken[start : first_spoken.index("reference-again")] == once
    assert len(once) == len(REFERENCE)
    assert expert.seconds == len(spoken) < first.seconds


def test_durations_are_summed_per_prompt_and_language(seed: Seed) -> None:
    base = manifest()
    longer = manifest({
        ("visit-type-menu", "en"): 100.0,   # a menu: only the first-time caller hears it
        ("reference-again", "en"): 50.0,    # the expert keys # before it
        ("goodbye", "en"): 7.5,             # both hear it
        ("welcome", "en"): 40.0,            # never played: the welcome is Czech
        ("goodbye", "cs"): 30.0,            # another language
    })
    for listener, extra in ((first_time_listener, 99 + 49 + 6.5), (expert_listener, 6.5)):
        before = caller_time(base, language="en", listener=listener, seed=seed).seconds
        after = caller_time(longer, language="en", listener=listener, seed=seed).seconds
        assert after - before == pytest.approx(extra), listener.__name__


def test_the_worst_language_is_the_figure(seed: Seed) -> None:
    plain = caller_times(manifest(), seed=seed)["per_language"]
    figures = caller_times(manifest({("searching", "uk"): 21.0, ("slot-menu", "ru"): 31.0}),
                           seed=seed)
    per_language = figures["per_language"]
    assert isinstance(plain, dict) and isinstance(per_language, dict)
    assert per_language["uk"]["expert_seconds"] == plain["uk"]["expert_seconds"] + 20
    assert per_language["ru"]["first_time_seconds"] == plain["ru"]["first_time_seconds"] + 30
    assert figures["expert_language"] == "uk"
    assert figures["expert_seconds"] == per_language["uk"]["expert_seconds"]
    assert figures["first_time_language"] == "ru"
    assert figures["first_time_seconds"] == per_language["ru"]["first_time_seconds"]


def test_a_prompt_missing_from_the_manifest_is_an_error(seed: Seed) -> None:
    partial = manifest()
    del partial.prompts["ru"]["goodbye"]
    with pytest.raises(UnknownPromptError, match="goodbye"):
        caller_time(partial, language="ru", listener=expert_listener, seed=seed)


def test_main_prints_a_table_and_one_json_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text(manifest(default_s=0.5).dumps(), encoding="utf-8")
    assert main([str(tmp_path)]) == 0  # half a second a prompt is under both targets
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:6]] == list(LANGUAGES)
    figures = json.loads(lines[-1])
    assert {"expert_seconds", "first_time_seconds", "per_language"} <= set(figures)

    slow = manifest({("goodbye", "vi"): 200.0}, default_s=0.5)
    (tmp_path / "manifest.json").write_text(slow.dumps(), encoding="utf-8")
    assert main([str(tmp_path)]) == 1  # a missed target fails the run
