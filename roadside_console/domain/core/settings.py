"""Application settings, read once from the environment and `.env`.

Every knob a deployment may turn lives here so that the domain, the API, the console and the
worker agree on one source of truth. Production fails closed on unsafe values.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret-change-me"})
DEV_SECRET = "dev-secret-change-me"


class InsecureSettingsError(RuntimeError):
    """Raised when production is started with settings that would put data at risk."""


class Settings(BaseSettings):
    """Typed view of the environment; field names map to upper-case variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    roadside_env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/roadside.db"
    redis_url: str | None = None
    secret_key: str = DEV_SECRET
    public_base_url: str = "http://localhost:3000"
    default_timezone: str = "America/New_York"
    default_tenant: str = "roadside-atl"
    session_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    embedded_worker: bool = True
    worker_poll_seconds: float = Field(default=2.0, gt=0)
    location_retention_days: int = Field(default=7, ge=1, le=3650)
    log_level: str = "INFO"
    log_json: bool = True
    cors_allowed_origins: str | None = None
    rate_limits_enabled: bool | None = None
    trusted_proxies: str | None = None
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "RoadSide Console <no-reply@localhost>"
    smtp_starttls: bool = False

    roadside_demo_password: str | None = None

    @property
    def is_production(self) -> bool:
        """Tell whether fail-closed checks apply."""
        return self.roadside_env == "production"

    @property
    def allowed_origins(self) -> list[str]:
        """Browser origins allowed to open the console websocket and call the API.

        Unset: any origin in development (so `localhost`, `127.0.0.1` and LAN addresses all
        work), only `PUBLIC_BASE_URL` in production.
        """
        if self.cors_allowed_origins:
            return [o.strip() for o in self.cors_allowed_origins.split(",") if o.strip()]
        return [self.public_base_url.rstrip("/")] if self.is_production else ["*"]

    @property
    def rate_limiting(self) -> bool:
        """Tell whether the API limits request rates.

        Unset: on everywhere except the test environment, where each test builds its own app
        and the tests of the limiter turn it on explicitly.
        """
        if self.rate_limits_enabled is not None:
            return self.rate_limits_enabled
        return self.roadside_env != "test"

    @property
    def trusted_proxy_list(self) -> list[str]:
        """Addresses or CIDR ranges of proxies whose `X-Forwarded-For` is believed."""
        return [p.strip() for p in (self.trusted_proxies or "").split(",") if p.strip()]

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the embedded database is in use."""
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _fail_closed_in_production(self) -> Settings:
        if not self.is_production:
            return self
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32:
            raise InsecureSettingsError(
                "SECRET_KEY is missing or a placeholder; production needs a random value of at "
                "least 32 characters (e.g. `python -c 'import secrets;print(secrets.token_hex(32))'`)."
            )
        if self.stripe_secret_key and not self.stripe_webhook_secret:
            raise InsecureSettingsError(
                "STRIPE_WEBHOOK_SECRET is required in production when Stripe is configured."
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return Settings()
