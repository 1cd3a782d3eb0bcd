"""Masking personal data inside free text (lib.privacy.mask_text) and the phone rules
(lib.phones) the portal forms share."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib import phones
from lib.privacy import mask_text


@pytest.mark.parametrize(("text", "masked"), [
    # the requester's own name, wherever it stands
    ("李建国反映门口垃圾", "李**反映门口垃圾"),
    # names before a courtesy title
    ("李先生您好，垃圾已清运。", "李**您好，垃圾已清运。"),
    ("王女士、张师傅和欧阳女士", "王**、张**和欧***"),
    ("赵建华先生来电", "赵****来电"),
    ("感谢陈师傅", "感谢陈**"),  # 谢 is a surname, but here it ends 感谢
    ("幸福路张师傅来了", "幸福路张**来了"),
    ("这位先生和环卫师傅", "这位先生和环卫师傅"),  # nobody named
    ("已转告，谢建国先生", "已转告，谢****"),
    # mobile numbers, however written
    ("电话13812345678", "电话138****5678"),
    ("手机 138 1234 5678。", "手机 138 **** 5678。"),
    ("+86 138-1234-5678", "+86 138-****-5678"),
    ("8613812345678", "86138****5678"),
    # landlines, with or without the area code
    ("座机0527-84361234", "座机0527-****1234"),
    ("(0527)84361234", "(0527)****1234"),
    ("电话：84361234", "电话：****1234"),
    # ID-card numbers, 18 digits (last maybe X) and the old 15
    ("身份证321302198001011234", "身份证321302********1234"),
    ("32130219800101123X号", "321302********123X号"),
    ("321302800101123", "321302*****1123"),
    # what is not personal stays
    ("拨打12319城管热线", "拨打12319城管热线"),
    ("诉求 261128-7KQ2MX 于 2026-11-23 09:30 答复", "诉求 261128-7KQ2MX 于 2026-11-23 09:30 答复"),
    ("罚款200元，20261123号文", "罚款200元，20261123号文"),
    ("", ""),
])
def test_mask_text(text, masked):
    assert mask_text(text, "李建国") == masked


def test_a_name_written_with_a_space_is_masked_either_way():
    assert mask_text("王芳来电，王 芳说", "王 芳") == "王*来电，王**说"


DIGIT = st.sampled_from("0123456789")
PROSE = st.text(alphabet="的问题已处理请门口垃圾路灯，。！ ", max_size=12)


@given(prefix=PROSE, suffix=PROSE, rest=st.text(alphabet="0123456789", min_size=9,
                                                max_size=9),
       second=st.sampled_from("3456789"), sep=st.sampled_from(["", " ", "-"]))
def test_no_mobile_survives(prefix, suffix, rest, second, sep):
    mobile = f"1{second}{rest}"
    masked = mask_text(prefix + f"{mobile[:3]}{sep}{mobile[3:7]}{sep}{mobile[7:]}" + suffix)
    assert masked == prefix + f"{mobile[:3]}{sep}****{sep}{mobile[7:]}" + suffix


@given(prefix=PROSE, suffix=PROSE,
       body=st.text(alphabet="0123456789", min_size=17, max_size=17),
       last=st.sampled_from("0123456789X"))
def test_no_id_card_survives(prefix, suffix, body, last):
    number = body + last
    masked = mask_text(prefix + number + suffix)
    assert number not in masked
    assert f"{number[:6]}********{number[-4:]}" in masked


@given(st.text(max_size=60))
def test_masking_twice_changes_nothing_more(text):
    once = mask_text(text, "李建国")
    assert mask_text(once, "李建国") == once


@given(st.text(alphabet="abcdefghij的问题已处理请门口垃圾灯，。！ 0123456", max_size=40))
def test_text_without_personal_data_is_left_alone(text):
    # no digit run long enough to be a phone, no surname, no title
    if not re.search(r"\d{7,}", text):
        assert mask_text(text) == text


@pytest.mark.parametrize(("phone", "digits", "mobile"), [
    ("13905271234", "13905271234", True),
    ("139-0527-1234", "13905271234", True),
    ("+86 139 0527 1234", "13905271234", True),
    ("8613905271234", "13905271234", True),
    ("0527-84361234", "052784361234", False),
    ("+86 527 8436 1234", "052784361234", False),
    ("84361234", "84361234", False),
    ("", "", False),
])
def test_phone_digits_and_mobiles(phone, digits, mobile):
    assert phones.digits(phone) == digits
    assert phones.is_mobile(phone) is mobile


def test_accepted_phones_and_spellings_of_one_number():
    for phone in ("13905271234", "0527-84361234", "+86 139 0527 1234", "84361234"):
        assert phones.is_accepted(phone)
    for phone in ("12319", "电话13905271234", "abc", ""):
        assert not phones.is_accepted(phone)
    assert phones.same("139-0527-1234", "+8613905271234")
    assert phones.same("0527 8436 1234", "0527-84361234")
    assert not phones.same("", "")
    assert not phones.same("0527-84361234", "0527-84361235")
