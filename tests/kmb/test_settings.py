"""The one settings object reads KMB_* variables and a .env file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmb.settings import Settings


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")
    assert (settings.default_locale, settings.time_zone) == ("cs", "Europe/Prague")
    assert settings.triage.affordable_cost_ratio == 0.40
    assert settings.triage.housing_first_max_debt_czk == 10_000


def test_environment_and_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("KMB_TRIAGE__HOUSING_FIRST_MAX_DEBT_CZK=5000\nKMB_DEFAULT_LOCALE=uk\n")
    monkeypatch.setenv("KMB_TRIAGE__URGENT_MOVE_OUT_DAYS", "21")
    settings = Settings(_env_file=env_file)
    assert settings.triage.housing_first_max_debt_czk == 5000
    assert settings.triage.urgent_move_out_days == 21
    assert settings.default_locale == "uk"


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMB_DEFAULT_LOCALE", "de")
    with pytest.raises(ValueError, match="default_locale"):
        Settings(_env_file=None)
