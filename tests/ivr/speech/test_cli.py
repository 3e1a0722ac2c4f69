"""``ivr speech export`` and ``ivr speech say``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ivr.speech.cli import app
from ivr.speech.export import catalog_toml

runner = CliRunner()


def test_say_a_slot_prints_ids_and_text() -> None:
    result = runner.invoke(app, ["say", "ru", "2026-04-21T14:00"])
    assert result.exit_code == 0, result.output
    ids, text = result.output.splitlines()
    assert ids == "weekday-tuesday date-day-21 date-month-4 time-hour-14 time-hours-many"
    assert text == "во вторник двадцать первого апреля в четырнадцать часов"


def test_say_a_birth_date_a_time_and_a_reference() -> None:
    assert runner.invoke(app, ["say", "uk", "1985-01-05"]).output.splitlines()[1] == (
        "п'ятого січня тисяча дев'ятсот вісімдесят п'ятого року"
    )
    assert runner.invoke(app, ["say", "cs", "14:00"]).output.splitlines()[1] == (
        "ve čtrnáct hodin"
    )
    assert runner.invoke(app, ["say", "vi", "4702138", "--reference"]).output.splitlines()[1] == (
        "bốn bảy không, hai một, ba tám"
    )


def test_say_refuses_a_value_outside_the_domain() -> None:
    result = runner.invoke(app, ["say", "en", "1899-12-31"])
    assert result.exit_code == 2
    assert "1899" in result.output
    assert runner.invoke(app, ["say", "de", "11:05"]).exit_code == 2
    assert runner.invoke(app, ["say", "cs", "1985-13-05"]).exit_code == 2


def test_export_writes_then_checks(tmp_path: Path) -> None:
    target = tmp_path / "speech.toml"
    assert runner.invoke(app, ["export", "--path", str(target), "--check"]).exit_code == 1
    assert runner.invoke(app, ["export", "--path", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == catalog_toml()
    assert runner.invoke(app, ["export", "--path", str(target), "--check"]).exit_code == 0
