"""What counts as a phone number here, written once.

People leave either a mobile (13905271234, 139-0527-1234, +86 139 0527 1234) or a landline
(0527-84361234). Both are accepted wherever a requester leaves a number — staff call back
on either — but only a mobile receives SMS (the evaluation link). Two spellings of one
number are the same number: compare ``digits()``, never the text.
"""

from __future__ import annotations

import re

# The forms a requester may type: digits, spaces and dashes, an optional leading "+".
ACCEPTED = re.compile(r"^\+?[0-9][0-9\- ]{4,18}[0-9]$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
_COUNTRY = re.compile(r"^(?:\+86|0086)[\s-]*")


def is_accepted(phone: str) -> bool:
    """True for a number the submit form takes (mobile or landline, any usual spelling)."""
    return bool(ACCEPTED.match((phone or "").strip()))


def digits(phone: str) -> str:
    """The number's digits without the country prefix: "+86 139-0527-1234" →
    "13905271234"; "+86 527 8436 1234" → "052784361234" (the trunk 0 comes back)."""
    text = (phone or "").strip()
    international = bool(_COUNTRY.match(text))
    number = re.sub(r"\D", "", _COUNTRY.sub("", text))
    if not international and len(number) == 13 and number.startswith("861"):
        number = number[2:]  # "8613905271234": a mobile written with the country code
        international = True
    if international and number and not number.startswith(("0", "1")):
        number = "0" + number
    return number


def is_mobile(phone: str) -> bool:
    """True when SMS can reach the number: an 11-digit mainland mobile."""
    return bool(MOBILE.match(digits(phone)))


def same(first: str, second: str) -> bool:
    """Whether two spellings name one number (and neither is empty)."""
    first, second = digits(first), digits(second)
    return bool(first) and first == second
