"""GB 32100-2015 unified social credit codes: the check character."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from enterprises.models import Enterprise
from lib import creditcode

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_a_published_code_is_valid():
    # The code printed on the sample business licence of GB 32100-2015's annex.
    assert creditcode.is_valid("91350100M000100Y43")


def test_a_changed_character_is_caught():
    assert not creditcode.is_valid("91350100M000100Y44")
    assert not creditcode.is_valid("91350100M000100Y4")  # too short
    assert not creditcode.is_valid("91350100M000100I43")  # I is not in the alphabet


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_completing_any_body_gives_a_valid_code(body):
    code = creditcode.complete(body)
    assert code.startswith(body) and len(code) == 18
    assert creditcode.is_valid(code)


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.integers(0, 16),
       st.sampled_from(ALPHABET))
def test_any_single_substitution_is_detected(body, position, replacement):
    code = creditcode.complete(body)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1:]
    assert not creditcode.is_valid(changed)


def test_bad_characters_are_a_value_error():
    with pytest.raises(ValueError):
        creditcode.complete("91350100M000100O4")


@pytest.mark.django_db
def test_the_enterprise_form_rejects_a_wrong_code_in_chinese():
    enterprise = Enterprise(name="测试企业", credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as error:
        enterprise.full_clean()
    assert "统一社会信用代码" in str(error.value)
