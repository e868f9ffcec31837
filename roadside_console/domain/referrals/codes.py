"""Referral codes people can read aloud and type on a phone without mistakes."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: characters that are easy to confuse when read or typed.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def new_referral_code() -> str:
    """Return a random 8-character code from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
