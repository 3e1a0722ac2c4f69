"""The catalog against its users: the call flow, the speech module, the seed data, the dialplans.

Asterisk plays English, without a word, when a language's file is missing, so every id used
anywhere must exist in every language (the loader already refuses a missing language); and
an id nobody uses is a sentence nobody maintains.

The flow and the speech module are imported lazily, by name, so that this file states what it
needs of them: `ivr.flow.prompt_ids(office_codes=…, visit_type_codes=…)` and
`ivr.speech.fragment_ids()`, each returning a set of prompt ids. A missing one fails the test:
a skipped coverage check would let a silent English fallback through.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prompts.catalog import Catalog, load_catalog
from prompts.recorded import RecordedPrompts
from prompts.settings import PromptSettings

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "api" / "seed" / "seed.toml"
DIALPLANS = ROOT / "dialplans"
DIALPLAN_PROMPT = re.compile(r"\bivr/([a-z0-9][a-z0-9-]*)\b")
DIALPLAN_COMMENT = re.compile(r"(?<!\\);.*")
# Ids written ahead of the dialplan that will play them (none now: the queue callback's
# queue-callback-offer and callback-registered are played by dialplans/). Each entry must leave
# as soon as it is used: the test below fails on an entry that is used.
AWAITING_DIALPLAN: frozenset[str] = frozenset()
# Ids written ahead of the flow that will play them (none now). Same rule: remove an entry as
# soon as `ivr.flow.prompt_ids()` has it (the test below then says so).
AWAITING_FLOW: frozenset[str] = frozenset()
AWAITING = AWAITING_DIALPLAN | AWAITING_FLOW


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _function(module_name: str, name: str) -> Callable[..., Any]:
    function = getattr(importlib.import_module(module_name), name, None)
    if function is None:
        pytest.fail(f"{module_name}.{name}() is missing: the prompt coverage checks need it")
    return function  # type: ignore[no-any-return]


def seed_names() -> set[str]:
    seed = tomllib.loads(SEED.read_text(encoding="utf-8"))
    return (
        {f"region-{office['region']}" for office in seed["offices"]}
        | {f"office-{office['code']}" for office in seed["offices"]}
        | {f"visit-{visit['code']}" for visit in seed["visit_types"]}
    )


def seed_codes() -> tuple[list[str], list[str]]:
    seed = tomllib.loads(SEED.read_text(encoding="utf-8"))
    return [o["code"] for o in seed["offices"]], [v["code"] for v in seed["visit_types"]]


def flow_ids() -> set[str]:
    prompt_ids = _function("ivr.flow", "prompt_ids")
    offices, visit_types = seed_codes()
    return set(prompt_ids(office_codes=offices, visit_type_codes=visit_types))


def speech_ids() -> set[str]:
    return set(_function("ivr.speech", "fragment_ids")())


def dialplan_references(text: str) -> set[str]:
    """Prompt ids in `…/ivr/<id>` references of Asterisk configuration, comments left out."""
    return {
        prompt_id
        for line in text.splitlines()
        for prompt_id in DIALPLAN_PROMPT.findall(DIALPLAN_COMMENT.sub("", line))
    }


def dialplan_ids() -> set[str]:
    ids: set[str] = set()
    for path in sorted(DIALPLANS.rglob("*")):
        if path.is_file():
            ids |= dialplan_references(path.read_text(encoding="utf-8", errors="replace"))
    return ids


def test_every_id_the_flow_plays_is_in_the_catalog(catalog: Catalog) -> None:
    assert flow_ids() - set(catalog.ids) == set()


def test_every_speech_fragment_is_in_the_catalog(catalog: Catalog) -> None:
    assert speech_ids() - set(catalog.ids) == set()


def test_every_prompt_the_dialplans_play_is_in_the_catalog(catalog: Catalog) -> None:
    assert dialplan_ids() - set(catalog.ids) == set()


def test_names_catalog_matches_the_seed_data(catalog: Catalog) -> None:
    names = {i for i in catalog.ids if catalog.source(i).name == "names.toml"}
    assert names == seed_names()


def test_no_unused_ids(catalog: Catalog) -> None:
    used = flow_ids() | speech_ids() | seed_names() | dialplan_ids()
    assert set(catalog.ids) - used - AWAITING == set()


def test_ids_awaiting_their_player_are_in_the_catalog_and_still_unused(catalog: Catalog) -> None:
    assert set(catalog.ids) >= AWAITING
    used = flow_ids() | speech_ids() | dialplan_ids()
    assert used & AWAITING == set(), "now used: remove them from AWAITING_DIALPLAN/AWAITING_FLOW"


def test_every_recording_is_of_a_catalog_prompt_and_language(catalog: Catalog) -> None:
    recordings = RecordedPrompts(PromptSettings().recorded_dir).all()
    strays = [
        str(r.path) for r in recordings
        if r.prompt_id not in catalog.ids or r.language not in catalog.languages
    ]
    assert strays == []


def test_dialplan_scan_finds_prompt_references_outside_comments() -> None:
    text = (
        "; the bridge (ivr/ami) is not a prompt\n"
        "same => n,Playback(${IVR_LANGUAGE}/ivr/operators-closed) ; then ivr/nothing\n"
        "same => n,Background(cs/ivr/goodbye&en/ivr/welcome)\n"
    )
    assert dialplan_references(text) == {"operators-closed", "goodbye", "welcome"}
