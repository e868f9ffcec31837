"""Password hashing with Argon2id (argon2-cffi), the OWASP-recommended default."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from roadside_console.domain.core.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-timing")


def hash_password(password: str) -> str:
    """Hash a new password after checking the length policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "password_too_short",
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            field="password",
        )
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether `password` matches; always spends the same work, even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
