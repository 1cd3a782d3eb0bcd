"""Masking personal data for public pages (R-PRIVACY): what a passer-by may see."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """张三丰 → 张**, 王女士 → 王**; empty stays empty."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short or odd numbers keep only their last two digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 4:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def phone_suffix_matches(phone: str, suffix: str) -> bool:
    digits = re.sub(r"\D", "", phone or "")
    suffix = re.sub(r"\D", "", suffix or "")
    return len(suffix) == 4 and len(digits) >= 4 and digits.endswith(suffix)


_ROAD = re.compile(r"^(.*?(?:大道|路|街|巷|道|广场|公园))")


def generalise_address(address: str) -> str:
    """宿迁市幸福路12号3单元 → 宿迁市幸福路附近: keep the road, drop the house."""
    address = (address or "").strip()
    if not address:
        return ""
    match = _ROAD.match(address)
    if match:
        return match.group(1) + "附近"
    return address[:6] + "附近"


def scrub(text: str, *names: str) -> str:
    """Replace the given personal names in free text by their masked form."""
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), mask_name(name))
    return text
