"""Practical projects and commitments on the portal (issue #11, item 3, begun): only
published projects, comments held for moderation, ratings once per phone, limits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects import actions, commitments, public_actions
from projects.models import CommentState, CommitmentKind, ProjectRating, PublicComment

from .test_projects import NOW, office, project, published  # noqa: F401 - fixtures


@pytest.fixture
def done(project, office, personas):  # noqa: F811
    project = published(project, office, personas)
    actions.start(personas.head_a, project, at=NOW)
    for milestone in project.milestones.all():
        actions.complete_milestone(personas.head_a, milestone, "完成", at=NOW)
    return actions.complete(personas.head_a, project, "疏导区已启用。", at=NOW)


def test_anonymous_sees_published_projects_only(client, project, office, personas):  # noqa: F811
    assert client.get(reverse("portal:project", args=[project.pk])).status_code == 404
    assert "幸福路菜市场" not in client.get(reverse("portal:projects")).content.decode()
    published(project, office, personas)
    page = client.get(reverse("portal:projects")).content.decode()
    assert page.count('data-testid="public-project"') == 1 and "源自 3 件群众诉求" in page
    detail = client.get(reverse("portal:project", args=[project.pk])).content.decode()
    assert "划定疏导区" in detail and "公示中" in detail


def test_a_comment_waits_for_moderation(client, project, office, personas):  # noqa: F811
    published(project, office, personas)
    url = reverse("portal:project", args=[project.pk])
    response = client.post(url, {"c-name": "李先生", "c-phone": "13905271234",
                                 "c-text": "支持，早该管了！"}, follow=True)
    assert response.content.decode().count("留言已提交，待审核；审核通过后在本页公开。") == 1
    assert "早该管了" not in client.get(url).content.decode()
    public_actions.moderate(office, PublicComment.objects.get(), approve=True)
    assert "早该管了" in client.get(url).content.decode()


def test_bad_comments_are_refused_in_chinese(client, project, office, personas):  # noqa: F811
    published(project, office, personas)
    url = reverse("portal:project", args=[project.pk])
    response = client.post(url, {"c-name": "李先生", "c-phone": "0527-84361234",
                                 "c-text": "支持"})
    assert response.status_code == 400
    assert "请填写正确的 11 位手机号。" in response.content.decode()
    response = client.post(url, {"c-name": "李先生", "c-phone": "13905271234", "c-text": ""})
    assert response.status_code == 400
    assert not PublicComment.objects.exists()


def test_a_completed_project_is_rated_once_per_phone(client, done):
    url = reverse("portal:project", args=[done.pk])
    assert 'data-testid="rate"' in client.get(url).content.decode()
    response = client.post(url, {"rate": "1", "r-level": "5", "r-phone": "13905271234"},
                           follow=True)
    assert response.content.decode().count("感谢您的评价。") == 1
    assert "满意率 100%" in response.content.decode()
    response = client.post(url, {"rate": "1", "r-level": "1", "r-phone": "139-0527-1234"})
    assert response.status_code == 400
    assert "每个号码只能评价一次" in response.content.decode()
    assert ProjectRating.objects.count() == 1


def test_comments_are_limited_per_phone(client, project, office, personas, settings):  # noqa: F811
    settings.RATE_LIMITS = True
    published(project, office, personas)
    url = reverse("portal:project", args=[project.pk])
    for n in range(6):
        response = client.post(url, {"c-name": "李先生", "c-phone": "13905271234",
                                     "c-text": f"第{n}条"})
    assert response.status_code == 429
    assert PublicComment.objects.filter(state=CommentState.PENDING).count() == 5


def test_published_commitments_are_listed_and_take_comments(client, office, personas, org):  # noqa: F811
    promise = commitments.create(office, kind=CommitmentKind.SERVICE, unit=org.unit_a,
                                 title="环卫服务承诺", content="垃圾日产日清。", at=NOW)
    assert client.get(reverse("portal:commitment", args=[promise.pk])).status_code == 404
    commitments.publish(office, promise, at=NOW)
    assert "环卫服务承诺" in client.get(reverse("portal:commitments")).content.decode()
    response = client.post(reverse("portal:commitment", args=[promise.pk]), {
        "c-name": "王女士", "c-phone": "13905270000", "c-text": "希望说到做到。"}, follow=True)
    assert "待审核；审核通过后在本页公开" in response.content.decode()


def test_a_moderator_approves_in_the_admin(client, project, office, personas,  # noqa: F811
                                           django_user_model):
    project = published(project, office, personas)
    comment = public_actions.comment(project, "李先生", "13905271234", "支持！", at=NOW)
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    response = client.post(reverse("admin:projects_publiccomment_changelist"),
                           {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == (CommentState.APPROVED, admin)
    client.logout()
    assert "支持！" in client.get(reverse("portal:project", args=[project.pk])).content.decode()


def test_feed_and_open_data_carry_only_public_masked_text(client, project, office,  # noqa: F811
                                                          personas, org):
    """An unmoderated comment, a draft project, a phone number quoted by staff: none of it
    leaves through the feed or the open data."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    draft = actions.create(office, title="尚未公示的项目", at=NOW)
    project = published(project, office, personas)
    actions.post_update(personas.head_a, project, "已约谈李先生（13905271234）。", at=NOW)
    public_actions.comment(project, "王女士", "13905270000", "未审核的留言", at=NOW)
    feed = client.get(reverse("portal:project_feed"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{atom}title") for e in root.iter(f"{atom}entry")]
    assert "幸福路菜市场周边占道经营整治 · 发布进展" in titles
    body = feed.content.decode()
    for secret in ("13905271234", "尚未公示的项目", "未审核的留言"):
        assert secret not in body
    assert "139****1234" in body
    data = client.get(reverse("portal:open_data", args=["projects", "json"])).json()
    assert [r["title"] for r in data["records"]] == [project.title]
    assert set(data["fields"]) == set(data["records"][0])
    text = client.get(reverse("portal:open_data", args=["projects", "csv"])).content.decode()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["demands"] == "3" and draft.title not in text
    assert client.get("/open-data/secrets.json").status_code == 404


def test_the_projects_own_satisfaction_is_on_its_page_and_the_list(client, done):
    url = reverse("portal:project", args=[done.pk])
    assert "暂无评价，欢迎您第一个评价" in client.get(url).content.decode()
    for n, level in enumerate((5, 3, 1)):
        public_actions.rate(done, f"1390527{n:04d}", level, at=NOW)
    assert "满意率 67%（3 人评价）" in client.get(url).content.decode()  # 基本满意 counts
    assert "满意率 67%（3 人评价）" in client.get(reverse("portal:projects")).content.decode()


def test_satisfaction_percent_rounds_half_up():
    from projects.public import Satisfaction

    assert [Satisfaction(s, r).percent for s, r in ((1, 8), (5, 8), (0, 3), (3, 3))] == \
        [13, 63, 0, 100]
    assert Satisfaction(0, 0).percent is None
