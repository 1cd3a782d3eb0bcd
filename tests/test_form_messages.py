"""Form errors speak the project's language and name the field (issue #9, item 6): not
Django's stock "这个字段是必填项。" or "确保该值不超过 …"."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from demands.models import Demand
from lib.forms import Bootstrap

from .test_portal import form as portal_form

pytestmark = pytest.mark.django_db
STOCK = ("这个字段是必填项", "确保该值", "确保该变量", "请输入一个", "选择一个有效的选项")


def errors_of(response) -> str:
    page = response.content.decode()
    assert not any(stock in page for stock in STOCK), "a stock Django message is shown"
    return page


def test_the_register_form_names_the_field_in_each_error(client, personas, categories):
    client.force_login(personas.receiver)
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "citizen", "channel": "12319", "category": "no-such-category",
        "title": "标" * 101, "content": "", "longitude": "东经118度", "latitude": "33.9",
    })
    assert response.status_code == 400
    page = errors_of(response)
    assert "标题不能超过 100 个字（现有 101 个）。" in page
    assert "请填写诉求内容。" in page
    assert "诉求类别的选项无效，请重新选择。" in page
    assert "经度须为数字。" in page
    assert not Demand.objects.exists()


def test_the_portal_submit_form_names_the_field_in_each_error(client, org, categories):
    response = client.post(reverse("portal:submit"),
                           portal_form(requester_name="", address="", category="",
                                       content="长" * 2001))
    assert response.status_code == 400
    page = errors_of(response)
    assert "请填写您的称呼。" in page
    assert "请填写地点。" in page
    assert "请选择问题类别。" in page
    assert "详细描述不能超过 2000 个字（现有 2001 个）。" in page
    assert not Demand.objects.exists()


class Sample(Bootstrap, forms.Form):
    days = forms.IntegerField(label="延期天数", min_value=1, max_value=30)
    due = forms.DateTimeField(label="反馈期限（可选）", required=False)
    on = forms.DateField(label="日期", required=False)
    phone = forms.RegexField(label="后四位", regex=r"^\d{4}$", required=False,
                             error_messages={"invalid": "请输入手机号的后四位数字。"})


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "days", "请填写延期天数。"),
    ({"days": "x"}, "days", "延期天数须为整数。"),
    ({"days": "0"}, "days", "延期天数不能小于 1。"),
    ({"days": "31"}, "days", "延期天数不能大于 30。"),
    ({"days": "1", "due": "明天"}, "due", "反馈期限格式不正确，请按 2026-11-23 09:30 的格式填写。"),
    ({"days": "1", "on": "11/23"}, "on", "日期格式不正确，请按 2026-11-23 的格式填写。"),
    # a message the form chose itself is kept
    ({"days": "1", "phone": "12"}, "phone", "请输入手机号的后四位数字。"),
])
def test_numbers_dates_and_own_messages(data, field, message):
    sample = Sample(data)
    assert not sample.is_valid()
    assert sample.errors[field] == [message]


def test_the_messages_are_set_per_form_and_leave_the_class_alone():
    Sample({})
    assert Sample.base_fields["days"].error_messages["required"] != "请填写延期天数。"
