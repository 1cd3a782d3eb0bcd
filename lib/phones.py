"""Phone numbers as the bureau meets them: mainland mobiles (can receive SMS) and
landlines with their area code (can only be called back)."""

from __future__ import annotations

import re

# What a person may type: digits with spaces or dashes, optionally +86 in front.
ACCEPTED = re.compile(r"^\+?[0-9][0-9\- ]{4,18}[0-9]$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def digits(phone: str) -> str:
    """The digits of ``phone`` without a leading 86 country code on a mobile."""
    only = re.sub(r"\D", "", phone or "")
    if len(only) == 13 and only.startswith("86") and MOBILE.match(only[2:]):
        return only[2:]
    return only


def is_valid(phone: str) -> bool:
    return bool(ACCEPTED.match((phone or "").strip()))


def is_mobile(phone: str) -> bool:
    """A mainland mobile number (SMS reaches it); landlines and empty numbers are not."""
    return bool(MOBILE.match(digits(phone)))
