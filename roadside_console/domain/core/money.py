"""Money helpers: integer cents, basis points, one rounding rule (half-up), lossless splits."""

from __future__ import annotations

BASIS_POINTS = 10_000


def apply_bp(amount_cents: int, rate_bp: int) -> int:
    """Return `amount × rate_bp / 10 000`, rounded half-up (away from zero for halves)."""
    return div_half_up(amount_cents * rate_bp, BASIS_POINTS)


def div_half_up(numerator: int, denominator: int) -> int:
    """Divide integers rounding halves away from zero (4999.5 → 5000, −0.5 → −1)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def allocate(total_cents: int, weights: list[int]) -> list[int]:
    """Split `total_cents` by `weights` so the parts sum exactly to the total.

    Largest-remainder method: every part gets its floor share, the leftover cents go to the
    parts with the largest remainders (ties to the earlier part), so no cent is lost or invented.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    shares = [magnitude * w // whole for w in weights]
    remainders = [magnitude * w % whole for w in weights]
    leftover = magnitude - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        shares[index] += 1
    return [sign * s for s in shares]


def format_cents(amount_cents: int, currency_symbol: str = "$") -> str:
    """Render cents for people: 12500 → "$125.00", −250 → "−$2.50"."""
    sign = "-" if amount_cents < 0 else ""
    dollars, cents = divmod(abs(amount_cents), 100)
    return f"{sign}{currency_symbol}{dollars:,}.{cents:02d}"
