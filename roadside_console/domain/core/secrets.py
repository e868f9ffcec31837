"""Random tokens and their digests: raw values go to people, digests go to the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    """Return an unguessable URL-safe token."""
    return secrets.token_urlsafe(nbytes)


def token_digest(raw: str) -> str:
    """Return the SHA-256 hex digest stored in place of a token.

    Tokens carry 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force.
    """
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Compare digests in constant time."""
    return hmac.compare_digest(a, b)
