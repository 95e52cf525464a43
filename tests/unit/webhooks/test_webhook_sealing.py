"""Webhook signing secrets are encrypted at rest: sealing, keys and their rotation, and
the setting without which the service does not start outside dev mode."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from pesnet.notifications.adapters.sealing import SecretSealer
from pesnet.notifications.bootstrap import build_app
from pesnet.notifications.domain.signing import new_secret
from pesnet.notifications.domain.webhooks import UnsealError
from pesnet.notifications.settings import Settings
from pesnet.notifications.webhook_settings import DEV_KEY, MissingSecretKeys, WebhookSettings


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_a_sealed_secret_unseals_to_itself_and_does_not_contain_it() -> None:
    sealer = SecretSealer([new_key()])
    secret = new_secret()
    sealed = sealer.seal(secret)
    assert secret not in sealed
    assert secret.removeprefix("whsec_") not in sealed
    assert sealer.unseal(sealed) == secret
    # sealing twice gives two different values (a random IV each time)
    assert sealer.seal(secret) != sealed


def test_a_wrong_key_fails_clearly() -> None:
    sealed = SecretSealer([new_key()]).seal(new_secret())
    with pytest.raises(UnsealError, match="PESNET_WEBHOOK_SECRET_KEYS"):
        SecretSealer([new_key()]).unseal(sealed)


def test_a_damaged_value_fails_clearly() -> None:
    sealer = SecretSealer([new_key()])
    sealed = sealer.seal(new_secret())
    with pytest.raises(UnsealError):
        sealer.unseal(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))


def test_key_rotation_the_first_key_seals_every_key_unseals() -> None:
    old, new = new_key(), new_key()
    secret = new_secret()
    sealed_before = SecretSealer([old]).seal(secret)

    rotated = SecretSealer([new, old])
    # a secret sealed before the rotation still opens
    assert rotated.unseal(sealed_before) == secret
    # a secret sealed now is sealed with the new key only
    sealed_after = rotated.seal(secret)
    assert SecretSealer([new]).unseal(sealed_after) == secret
    with pytest.raises(UnsealError):
        SecretSealer([old]).unseal(sealed_after)
    # once the old key is dropped, what it sealed no longer opens
    with pytest.raises(UnsealError):
        SecretSealer([new]).unseal(sealed_before)


def test_the_setting_takes_comma_separated_keys() -> None:
    first, second = new_key(), new_key()
    settings = WebhookSettings(secret_keys=f" {first} , {second} ")
    sealer = SecretSealer(settings.sealing_keys(dev_mode=False))
    assert SecretSealer([first]).unseal(sealer.seal("whsec_x")) == "whsec_x"
    assert sealer.unseal(SecretSealer([second]).seal("whsec_y")) == "whsec_y"


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    monkeypatch.setenv("PESNET_WEBHOOK_SECRET_KEYS", key)
    sealed = SecretSealer(WebhookSettings().sealing_keys(dev_mode=False)).seal("whsec_x")
    assert SecretSealer([key]).unseal(sealed) == "whsec_x"


def test_a_malformed_key_is_refused_naming_the_setting_and_the_key() -> None:
    with pytest.raises(ValidationError, match=r"PESNET_WEBHOOK_SECRET_KEYS: key 2 is not"):
        WebhookSettings(secret_keys=f"{new_key()},not-a-key")
    with pytest.raises(ValidationError, match="PESNET_WEBHOOK_SECRET_KEYS: no key given"):
        WebhookSettings(secret_keys=" , ")


def test_production_without_keys_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PESNET_WEBHOOK_SECRET_KEYS", raising=False)
    with pytest.raises(MissingSecretKeys, match="PESNET_WEBHOOK_SECRET_KEYS must be set"):
        SecretSealer(WebhookSettings().sealing_keys(dev_mode=False))


def test_dev_mode_without_keys_uses_the_development_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PESNET_WEBHOOK_SECRET_KEYS", raising=False)
    sealed = SecretSealer(WebhookSettings().sealing_keys(dev_mode=True)).seal("whsec_x")
    assert SecretSealer([DEV_KEY]).unseal(sealed) == "whsec_x"
    # a configured key wins over the development key in dev mode too
    key = new_key()
    sealed = SecretSealer(WebhookSettings(secret_keys=key).sealing_keys(dev_mode=True)).seal(
        "whsec_y"
    )
    with pytest.raises(UnsealError):
        SecretSealer([DEV_KEY]).unseal(sealed)


def test_a_malformed_key_is_not_echoed_in_the_error() -> None:
    almost_a_key = new_key()[:-2]
    with pytest.raises(ValidationError) as refused:
        WebhookSettings(secret_keys=almost_a_key)
    assert almost_a_key not in str(refused.value)


def test_the_notifications_service_does_not_start_in_production_without_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PESNET_WEBHOOK_SECRET_KEYS", raising=False)
    production = Settings.model_validate(
        {
            "PESNET_ENV": "production",
            "RABBITMQ_URL": "amqp://user:password@127.0.0.1:5672/",
            # never contacted: building the app connects to nothing
            "MONGODB_URL": "mongodb://127.0.0.1:1/",
            "PESNET_JWKS_URL": "http://identity:8005/.well-known/jwks.json",
            "NOTIFICATIONS_LINK_SECRET": "a-production-link-secret",
            "PESNET_MANAGE_LINK_KEYS": "a-production-manage-link-key",
            "NOTIFICATIONS_PUBLIC_URL": "https://notifications.pesnet.example.org",
            "SMTP_HOST": "smtp.example.org",
            "SMTP_PORT": "587",
        }
    )
    with pytest.raises(MissingSecretKeys, match="PESNET_WEBHOOK_SECRET_KEYS must be set"):
        build_app(production)
    monkeypatch.setenv("PESNET_WEBHOOK_SECRET_KEYS", new_key())
    assert build_app(production).title == "OIC-PESNET notifications"
