"""Service catalogue and the one-time notice: public page, print, .docx, staff issuance."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from catalog.models import NoticeIssue, ServiceItem

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def item(org):
    return ServiceItem.objects.create(
        code="hwgg", name="户外广告设施设置审批", unit=org.unit_a,
        materials="申请表\n营业执照复印件\n效果图", steps="受理\n勘查\n决定",
        legal_basis="《城市市容和环境卫生管理条例》", time_limit="10 个工作日",
        window="政务服务中心城管窗口")


def test_the_public_guide_lists_everything_at_once(client, item):
    assert "户外广告设施设置审批" in client.get(reverse("portal:services"),
                                           {"q": "广告"}).content.decode()
    page = client.get(reverse("portal:service", args=["hwgg"])).content.decode()
    for text in ("一次性告知单", "营业执照复印件", "勘查", "10 个工作日", "政务服务中心城管窗口",
                 "不再要求补充其他材料", "打印告知单"):
        assert text in page


def test_the_guide_downloads_as_a_word_document(client, item):
    response = client.get(reverse("portal:service", args=["hwgg"]), {"format": "docx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "一次性告知单" in text and "2. 营业执照复印件" in text and "10 个工作日" in text


def test_staff_issue_a_notice_to_a_named_requester_and_it_is_recorded(client, item,
                                                                      personas):
    client.force_login(personas.receiver, backend=BACKEND)
    response = client.post(reverse("console:notices"), {
        "item": item.pk, "requester_name": "宿迁市御珍家私有限公司", "requester_phone": "",
        "note": "请同时携带公章"})
    issue = NoticeIssue.objects.get()
    assert response["Location"] == reverse("console:notice_detail", args=[issue.number])
    assert issue.issued_by == personas.receiver
    page = client.get(response["Location"]).content.decode()
    assert issue.number in page and "宿迁市御珍家私有限公司" in page and "请同时携带公章" in page
    doc = client.get(response["Location"], {"format": "docx"})
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert issue.number in text


def test_issuing_needs_a_name_and_a_role(client, item, personas):
    client.force_login(personas.receiver, backend=BACKEND)
    response = client.post(reverse("console:notices"), {"item": item.pk,
                                                        "requester_name": "  "})
    assert response.status_code == 400 and NoticeIssue.objects.count() == 0
    client.force_login(personas.leader, backend=BACKEND)
    assert client.get(reverse("console:notices")).status_code == 403


def test_the_demo_city_has_service_items(settings):
    settings.DEMO_DEMANDS = 0  # (the demo's demands are not what this reads)
    call_command("load_demo", verbosity=0)
    assert ServiceItem.objects.count() >= 3


def test_agent_service_requests_become_demands_of_their_own_category(client, settings):
    settings.DEMO_DEMANDS = 0
    call_command("load_demo", verbosity=0)
    page = client.get(reverse("portal:services")).content.decode()
    assert "申请全程代办" in page
    form = client.get(reverse("portal:submit"), {"category": "quancheng-daiban"})
    assert 'value="quancheng-daiban" selected' in form.content.decode()
