import pytest

from roadside_console.domain.core.settings import InsecureSettingsError, Settings


def test_development_runs_with_the_placeholder_secret():
    assert Settings(roadside_env="development", secret_key="dev-secret-change-me").secret_key


@pytest.mark.parametrize("secret", ["", "change-me", "dev-secret-change-me", "short-secret"])
def test_production_refuses_a_missing_placeholder_or_short_secret(secret):
    with pytest.raises(InsecureSettingsError, match="SECRET_KEY"):
        Settings(roadside_env="production", secret_key=secret)


def test_production_refuses_stripe_without_a_webhook_secret():
    with pytest.raises(InsecureSettingsError, match="STRIPE_WEBHOOK_SECRET"):
        Settings(roadside_env="production", secret_key="x" * 40, stripe_secret_key="sk_live_1")


def test_production_starts_with_safe_settings():
    settings = Settings(
        roadside_env="production", secret_key="x" * 40, public_base_url="https://ops.example.com"
    )
    assert settings.allowed_origins == ["https://ops.example.com"]


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.example/rs")
    monkeypatch.setenv("SESSION_TTL_HOURS", "8")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://db.example/rs"
    assert settings.session_ttl_hours == 8
    assert not settings.is_sqlite
