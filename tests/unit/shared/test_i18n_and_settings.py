from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from pesnet.shared.i18n import (
    Localized,
    direction,
    fallback_chain,
    format_local_date,
    format_local_time,
)
from pesnet.shared.reference import is_member_state, member_states
from pesnet.shared.settings import ServiceSettings


def test_fallback_chain_is_requested_then_en_fr_ar() -> None:
    assert fallback_chain("fr") == ["fr", "en", "ar"]
    assert fallback_chain("ar") == ["ar", "en", "fr"]
    assert fallback_chain("tr") == ["en", "fr", "ar"]


def test_localized_falls_back_and_reports_missing_languages() -> None:
    text = Localized(ar="مرحبا", fr="Bonjour")
    assert text.get("en") == "Bonjour"  # en missing → fr
    assert text.get("ar") == "مرحبا"
    assert text.missing() == ["en"]
    assert not text.complete


def test_arabic_is_right_to_left() -> None:
    assert direction("ar") == "rtl"
    assert direction("fr") == "ltr"


def test_dates_use_arabic_month_names_and_the_meetings_zone() -> None:
    assert "فبراير" in format_local_date(date(2024, 2, 29), "ar")
    assert "février" in format_local_date(date(2024, 2, 29), "fr")
    # 08:00 UTC is 09:00 in Casablanca on 29 Feb 2024 (UTC+1 outside Ramadan)
    assert (
        format_local_time(datetime(2024, 2, 29, 8, 0, tzinfo=UTC), "Africa/Casablanca", "en")
        == "09:00"
    )
    # during Ramadan 2024 (from mid-March) Morocco sets its clocks to UTC+0
    assert (
        format_local_time(datetime(2024, 3, 20, 8, 0, tzinfo=UTC), "Africa/Casablanca", "en")
        == "08:00"
    )


def test_member_states_are_the_57_of_the_oic() -> None:
    states = member_states()
    assert len(states) == 57
    assert is_member_state("MAR")
    assert is_member_state("TUR")
    assert not is_member_state("FRA")
    assert states["MAR"].name.ar == "المغرب"


def test_production_refuses_to_start_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("RABBITMQ_URL", "MONGODB_URL", "PESNET_SECRETARIAT_TOKEN", "PESNET_ENV"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValidationError, match="RABBITMQ_URL, MONGODB_URL"):
        ServiceSettings()


def test_dev_mode_has_defaults_for_local_development(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("RABBITMQ_URL", "PESNET_SECRETARIAT_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PESNET_ENV", "dev")
    settings = ServiceSettings()
    assert settings.secretariat_token is not None
    assert settings.amqp_url().startswith("amqp://")
