"""Phone numbers in one canonical form (E.164), parsed by Google's libphonenumber port.

Dispatchers type numbers every which way ("(404) 555-0101", "404.555.0101"); SMS delivery and
duplicate detection need one form.
"""

from __future__ import annotations

import phonenumbers

from roadside_console.domain.core.errors import ValidationFailed

DEFAULT_REGION = "US"


def normalize_phone(raw: str, *, field: str = "phone", region: str = DEFAULT_REGION) -> str:
    """Return `raw` as E.164 (+14045550101) or raise `ValidationFailed` naming `field`."""
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationFailed(
            "invalid_phone", "Enter a phone number we can call, e.g. (404) 555-0101.", field=field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
