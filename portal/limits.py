"""How often the public may try: every number in one place (documented in docs/portal.md).

Two kinds of limit. Per key: a tracking number, an evaluation link and a booking code
each stand for a secret the guesser lacks (the phone's last digits), so *failed* guesses
are counted per key, whoever makes them; after ``FAILED_GUESSES_PER_DAY`` the key is
locked for the rest of the day, with the same message whether or not it exists. Per IP:
a coarse outer limit only, high enough for a community service desk or a carrier NAT
where hundreds of people share one address. Submissions are limited per phone and per
device (a signed cookie) first.
"""

from __future__ import annotations

import secrets

from lib import phones, ratelimit

HOUR = 3600
DAY = 86400

SUBMIT_PER_PHONE_DAY = 5
SUBMIT_PER_DEVICE_DAY = 20  # a community service desk helps a few residents a day
SUBMIT_PER_IP_HOUR = 200
TRACK_PER_IP_HOUR = 30
EVALUATE_PER_IP_HOUR = 20
EVALUATE_PER_PHONE_DAY = 10
LINK_FAILURES_PER_IP_HOUR = 30  # unknown evaluation links asked from one address
BOOK_PER_IP_HOUR = 10
BOOK_PER_PHONE_DAY = 5
FAILED_GUESSES_PER_DAY = 10  # per tracking number, evaluation link or booking code

DEVICE_COOKIE = "smy_device"
DEVICE_SALT = "portal.device"
DEVICE_MAX_AGE = 2 * 365 * DAY

# What a locked key says; it must not tell whether the number, link or code exists.
LOCKED = {
    "number": "该诉求编号今日查询失败次数过多，已暂停查询，请明天再试；如需帮助请拨打 12319。",
    "link": "该评价链接今日尝试次数过多，已暂停使用，请明天再试；如需帮助请拨打 12319。",
    "code": "该取消码今日尝试次数过多，已暂停使用，请明天再试；如需帮助请拨打 12319。",
}


def normal_number(number: str) -> str:
    return (number or "").strip().upper()


def locked(kind: str, key: str) -> bool:
    """Whether ``key`` (a tracking number, link hash or booking code) has used up its
    failed guesses for today."""
    return ratelimit.exhausted(f"guess-{kind}", key, FAILED_GUESSES_PER_DAY, DAY)


def failed(kind: str, key: str) -> None:
    """Count one failed guess against ``key``."""
    ratelimit.hit(f"guess-{kind}", key, DAY)


def device_id(request) -> str | None:
    """The id in the browser's signed device cookie, None when absent or forged."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    return value if value and len(value) <= 64 else None


def remember_device(request, response, device: str) -> None:
    """(Re)issue the long-lived device cookie; it holds a random id, nothing personal."""
    response.set_signed_cookie(DEVICE_COOKIE, device, salt=DEVICE_SALT,
                               max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                               secure=request.is_secure())


def new_device() -> str:
    return secrets.token_urlsafe(16)


COMMENT_PER_PHONE_DAY = 5  # comments and ratings of projects and commitments
COMMENT_PER_DEVICE_DAY = 20
COMMENT_PER_IP_HOUR = 200


def may_comment(request, phone: str, device: str) -> bool:
    """Comments and ratings: per phone, per device, per IP, as submissions."""
    return (ratelimit.allow("comment-phone", phones.digits(phone), COMMENT_PER_PHONE_DAY, DAY)
            and ratelimit.allow("comment-device", device, COMMENT_PER_DEVICE_DAY, DAY)
            and ratelimit.allow("comment-ip", ratelimit.client_ip(request),
                                COMMENT_PER_IP_HOUR, HOUR))


def may_submit(request, phone: str, device: str) -> bool:
    """Per phone, then per device, then per IP (the coarse outer limit)."""
    return (ratelimit.allow("submit-phone", phones.digits(phone), SUBMIT_PER_PHONE_DAY, DAY)
            and ratelimit.allow("submit-device", device, SUBMIT_PER_DEVICE_DAY, DAY)
            and ratelimit.allow("submit-ip", ratelimit.client_ip(request),
                                SUBMIT_PER_IP_HOUR, HOUR))

