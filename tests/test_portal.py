"""The public side: submit without an account, track, evaluate by the one-time link."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demands.actions import handover, oversight, replies
from demands.actions.intake import Intake, submit
from demands.models import Demand, State
from lib.geo import gcj02_to_wgs84, wgs84_to_gcj02
from lib.privacy import mask_name, mask_phone

from .demand_helpers import at

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SENT: list = []


class Gateway:
    """The SMS provider is outside this machine: record what would be sent."""

    def send(self, mobile, text):
        SENT.append((mobile, text))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_GATEWAY = "tests.test_portal.Gateway"
    SENT.clear()


def form(**overrides):
    data = {"requester_kind": "citizen", "category": "baolu-laji", "title": "小区门口垃圾堆积",
            "content": "幸福路12号门口垃圾两天没人清运。", "address": "幸福路12号",
            "requester_name": "王芳", "requester_phone": "13905271234",
            "consent_publish": "on", "longitude": "", "latitude": "", "coord_system": "wgs84"}
    data.update(overrides)
    return data


def test_a_citizen_submits_without_an_account(client, org, categories, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(reverse("portal:submit"),
                           {**form(), "photos": [SimpleUploadedFile("现场.png", PNG)]})
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert (demand.channel, demand.state, demand.requester_kind) == ("portal", "submitted",
                                                                     "citizen")
    assert demand.consent_publish and demand.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert demand.number in page and "4 工作小时" in page


def test_an_enterprise_must_name_itself(client, org, categories):
    response = client.post(reverse("portal:submit"), form(requester_kind="enterprise"))
    assert response.status_code == 400
    assert "企业诉求请填写企业名称" in response.content.decode()
    response = client.post(reverse("portal:submit"),
                           form(requester_kind="enterprise",
                                requester_org="宿迁市御珍家私有限公司"))
    assert response.status_code == 302
    assert Demand.objects.get().requester_org == "宿迁市御珍家私有限公司"


@pytest.mark.parametrize(("photos", "message"), [
    ([SimpleUploadedFile(f"{i}.png", PNG) for i in range(4)], "最多上传 3 张照片"),
    ([SimpleUploadedFile("a.jpg", b"<?php evil(); ?>")], "内容不是图片或 PDF"),
])
def test_bad_photos_are_refused_and_nothing_is_kept(client, org, categories, photos, message):
    response = client.post(reverse("portal:submit"), {**form(), "photos": photos})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Demand.objects.count() == 0


def test_a_gcj02_pin_is_stored_as_wgs84(client, org, categories):
    gcj = wgs84_to_gcj02(118.275, 33.963)
    client.post(reverse("portal:submit"), form(longitude=f"{gcj[0]:.6f}",
                                               latitude=f"{gcj[1]:.6f}", coord_system="gcj02"))
    demand = Demand.objects.get()
    assert abs(float(demand.longitude) - 118.275) < 2e-6
    assert abs(float(demand.latitude) - 33.963) < 2e-6


def test_gcj02_round_trip_is_within_a_millimetre():
    for lon, lat in [(118.275, 33.963), (116.397, 39.909), (121.4737, 31.2304)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        assert abs(back[0] - lon) < 1e-8 and abs(back[1] - lat) < 1e-8
        shift = wgs84_to_gcj02(lon, lat)
        assert 1e-4 < abs(shift[0] - lon) < 1e-2  # GCJ-02 moves points by tens–hundreds of m


def test_submissions_are_rate_limited_per_phone(client, org, categories):
    for _ in range(5):
        assert client.post(reverse("portal:submit"), form()).status_code == 302
    response = client.post(reverse("portal:submit"), form())
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Demand.objects.count() == 5


def test_tracking_shows_the_public_timeline_and_nothing_internal(client, org, categories,
                                                                 personas):
    client.post(reverse("portal:submit"), form())
    demand = Demand.objects.get()
    demand = handover.receive(personas.receiver, demand)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a, note="内部派遣说明")
    oversight.urge(personas.supervisor, demand, "内部催办：领导很关注")
    demand = handover.return_(personas.handler_a, demand, "内部退单理由")
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    replies.reply(personas.handler_a, demand, "您好，垃圾已清运完毕。")
    page = client.post(reverse("portal:track"), {"number": demand.number.lower(),
                                                 "phone_suffix": "1234"}).content.decode()
    assert "已派遣至环境卫生管理处" in page and "您好，垃圾已清运完毕。" in page
    for secret in ("内部派遣说明", "内部催办", "内部退单理由", "13905271234", "张承办"):
        assert secret not in page


def test_a_wrong_suffix_and_an_unknown_number_look_the_same(client, org, categories):
    client.post(reverse("portal:submit"), form())
    number = Demand.objects.get().number

    def ask(n, suffix):
        body = client.post(reverse("portal:track"), {"number": n, "phone_suffix": suffix})
        text = body.content.decode()
        return re.sub(r"[A-Za-z0-9]{64}", "CSRF", text).replace(n, "NUMBER")

    assert ask(number, "0000") == ask("991231-ZZZZZZ", "0000")
    assert "没有找到匹配的诉求" in ask(number, "0000")


def test_the_evaluation_link_works_once(client, org, categories, personas,
                                        django_capture_on_commit_callbacks):
    client.post(reverse("portal:submit"), form())
    demand = handover.receive(personas.receiver, Demand.objects.get())
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    with django_capture_on_commit_callbacks(execute=True):
        replies.reply(personas.handler_a, demand, "已处理。")
    path = re.search(r"http://[^/]+(/e/\S+/)", SENT[-1][1]).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "请评价办理结果" in page.content.decode()
    done = client.post(path, {"level": "2", "comment": "只清了一半"}).content.decode()
    assert "我们将对您不满意的问题进行整改" in done
    assert Demand.objects.get(pk=demand.pk).state == State.FOLLOW_UP
    again = client.get(path)
    assert again.status_code == 404 and "评价链接无效或已使用" in again.content.decode()
    assert client.get("/e/not-a-token/").status_code == 404


def test_reply_sends_the_link_by_sms_after_commit(org, categories, personas,
                                                  django_capture_on_commit_callbacks):
    demand, _ = submit(None, Intake(
        requester_kind="citizen", channel="portal", category="baolu-laji", title="t",
        content="c", requester_phone="13905271234"), at=at("2026-11-23 09:00"))
    demand = handover.receive(personas.receiver, demand)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    with django_capture_on_commit_callbacks(execute=True):
        replies.reply(personas.handler_a, demand, "已处理。")
    assert len(SENT) == 1 and SENT[0][0] == "13905271234"
    link = re.search(r"http://\S+/e/(\S+)/", SENT[0][1])
    assert link
    demand = replies.evaluate_by_token(link.group(1), 5)
    assert demand.state == State.CLOSED


def test_masks():
    assert mask_name("王芳") == "王*" and mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13905271234") == "139****1234"


def test_the_public_board_shows_only_consented_demands_masked(client, org, categories,
                                                              personas):
    client.post(reverse("portal:submit"), form(title="王芳家门口垃圾没人管",
                                               address="宿迁市幸福路12号3单元",
                                               longitude="118.275432", latitude="33.963219"))
    client.post(reverse("portal:submit"), form(consent_publish="", title="不愿公开的诉求",
                                               requester_phone="13900001111"))
    for demand in Demand.objects.all():
        handover.receive(personas.receiver, demand)
    page = client.get(reverse("portal:demands")).content.decode()
    assert "王*家门口垃圾没人管" in page
    assert "宿迁市幸福路附近" in page and "12号" not in page
    assert "不愿公开的诉求" not in page
    for secret in ("王芳", "13905271234", "139****1234", "118.275432", "33.963219"):
        assert secret not in page
    assert '"lat": 33.963' in page and '"lon": 118.275' in page


def test_submitted_but_not_yet_received_demands_are_not_public(client, org, categories):
    client.post(reverse("portal:submit"), form(title="刚提交的诉求"))
    assert "刚提交的诉求" not in client.get(reverse("portal:demands")).content.decode()


def test_a_landline_gets_no_text_message_and_a_mobile_does(personas, org, categories,
                                                           django_capture_on_commit_callbacks):
    """SMS reaches mobiles only: a reply to a requester who left a landline sends nothing
    (they evaluate through 进度查询), one who left a mobile gets the evaluation link."""
    from .demand_helpers import replied

    with django_capture_on_commit_callbacks(execute=True):
        replied(personas, org, categories.litter, requester_phone="0527-84361234")
    assert SENT == []
    with django_capture_on_commit_callbacks(execute=True):
        replied(personas, org, categories.litter, requester_phone="139 0527 1234")
    assert [mobile for mobile, _ in SENT] == ["13905271234"]  # as the gateway wants it
    assert "/e/" in SENT[0][1]
