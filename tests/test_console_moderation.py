"""留言审核 in the console (issue #11): only the office (``project.moderate``) sees the page
or acts; 公开 puts a comment on the portal's page — never in the Atom feed or the open data,
which carry no comments — and 不予公开 keeps it off everywhere; a second decision is refused
in Chinese and changes nothing; the home page counts 待审核留言; the list costs a fixed
number of queries."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects import actions, commitments, public_actions
from projects.models import CommentState, CommitmentKind, PublicComment

from .conftest import make_staff
from .demand_helpers import at
from .test_projects_console import make_project, published

pytestmark = pytest.mark.django_db
NOW = at("2026-12-01 10:00")
HX = {"HTTP_HX_REQUEST": "true"}
LIST = "/console/comments/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office(org):
    from org.models import Role

    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def project(personas, org, categories, office):
    return published(make_project(office, org), office, personas)


@pytest.fixture
def promise(office, org):
    promise = commitments.create(office, kind=CommitmentKind.SERVICE, unit=org.unit_a,
                                 title="垃圾清运两小时响应", content="接报后两小时内清运。")
    return commitments.publish(office, promise)


@pytest.fixture
def comment(project):
    return public_actions.comment(project, "李建国", "13905271234",
                                  "支持！有事打我电话13905271234。")


def decide(client, comment, decision, htmx=True, follow=False, **data):
    url = reverse("console:comment_moderate", args=[comment.pk, decision])
    return client.post(url, data, follow=follow, **(HX if htmx else {}))


def feed_and_data(client) -> str:
    """The Atom feed and the open data files of projects and commitments, as one text."""
    return "".join(client.get(url).content.decode() for url in (
        reverse("portal:project_feed"),
        *(reverse("portal:open_data", args=[name, fmt])
          for name in ("projects", "commitments") for fmt in ("json", "csv"))))


def public_everywhere(client, project) -> str:
    """The project's portal page, the project list, the feed and the open data."""
    return "".join(client.get(url).content.decode() for url in (
        reverse("portal:project", args=[project.pk]), reverse("portal:projects"))) \
        + feed_and_data(client)


# --- who may ---------------------------------------------------------------------------
def test_anonymous_is_sent_to_sign_in(client, comment):
    response = client.get(LIST)
    assert response.status_code == 302 and "/console/login/" in response["Location"]
    response = decide(client, comment, "approve", htmx=False)
    assert response.status_code == 302 and "/console/login/" in response["Location"]
    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING


@pytest.mark.parametrize("name", ["handler_a", "head_a", "leader", "supervisor", "receiver"])
def test_only_the_office_moderates(client, personas, comment, name):
    """A unit's handler or head, a leader, a supervisor: no 留言审核 in their bar, 403 on
    the page and on its buttons, the comment untouched."""
    client.force_login(getattr(personas, name))
    assert client.get(LIST).status_code == 403
    for decision in ("approve", "reject"):
        assert decide(client, comment, decision).status_code == 403
    home = client.get(reverse("console:home"))
    assert ">留言审核<" not in home.content.decode()
    assert "comments_pending" not in {item["key"] for item in home.context["todo"]}
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == (CommentState.PENDING, None)


def test_the_office_and_the_administrator_moderate(client, office, comment):
    client.force_login(office)
    page = client.get(LIST).content.decode()
    assert 'href="/console/comments/"' in page and ">留言审核<" in page
    assert "有事打我电话" in page
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    assert client.get(LIST).status_code == 200
    assert decide(client, comment, "approve").status_code == 200
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == (CommentState.APPROVED, root)


def test_an_unknown_decision_or_comment_is_not_found(client, office, comment):
    client.force_login(office)
    assert decide(client, comment, "delete").status_code == 404
    assert client.post(reverse("console:comment_moderate", args=[999999, "approve"]),
                       **HX).status_code == 404
    assert client.get(reverse("console:comment_moderate",
                              args=[comment.pk, "approve"])).status_code == 405


# --- the page ---------------------------------------------------------------------------
def test_the_queue_shows_what_each_comment_is_about_and_who_wrote_it(client, office, project,
                                                                     promise, comment):
    public_actions.comment(promise, "王芳", "13905270000", "希望说到做到。")
    client.force_login(office)
    response = client.get(LIST)
    page = response.content.decode()
    assert page.count('data-testid="comment"') == 2
    # about: links to the console's project and commitment pages
    assert f'href="{reverse("console:project", args=[project.pk])}"' in page
    assert f'href="{reverse("console:commitment", args=[promise.pk])}"' in page
    assert "幸福路菜市场周边占道经营整治" in page and "垃圾清运两小时响应" in page
    # names masked as the public will read them; phones never shown but in the text itself
    assert "李**" in page and "王*" in page and "李建国" not in page
    assert "13905270000" not in page
    # the text as written, and how it will read once public
    assert "有事打我电话13905271234" in page
    assert "公开时个人信息将被隐去" in page and "139****1234" in page
    assert "2026-12-01 10:00" in page
    counts = {value: count for value, _, count in response.context["counts"]}
    assert counts == {"pending": 2, "approved": 0, "rejected": 0}
    assert 'class="nav-link active" href="?state=pending" aria-current="page"' in page


def test_the_states_filter_and_the_pages(client, office, project, monkeypatch):
    from console import moderation_views

    monkeypatch.setattr(moderation_views, "PAGE_SIZE", 2)
    for n in range(5):
        comment = public_actions.comment(project, "李先生", "13905271234", f"第{n}条留言",
                                         at=at(f"2026-11-2{n} 09:00"))
        if n == 4:
            public_actions.moderate(office, comment, approve=False, reason="重复留言")
    client.force_login(office)
    first = client.get(LIST).content.decode()
    # the queue: the oldest first, two a page
    assert first.index("第0条") < first.index("第1条") and "第2条" not in first
    assert "1 / 2" in first and "?state=pending&amp;page=2" in first
    second = client.get(LIST, {"state": "pending", "page": 2}).content.decode()
    assert "第2条" in second and "第3条" in second and "第0条" not in second
    rejected = client.get(LIST, {"state": "rejected"}).content.decode()
    assert "第4条" in rejected and "重复留言" in rejected and "孙主任" in rejected
    assert 'data-action="approve"' not in rejected
    approved = client.get(LIST, {"state": "approved"}).content.decode()
    assert 'data-testid="empty"' in approved and "没有已公开的留言。" in approved
    assert client.get(LIST, {"state": "nonsense"}).context["state"] == "pending"


def test_the_list_costs_a_fixed_number_of_queries(client, office, project, promise,
                                                  django_assert_num_queries):
    for n in range(3):
        public_actions.comment(project, f"李{n}", "13905271234", f"项目留言{n}")
        public_actions.comment(promise, f"王{n}", "13905270000", f"承诺留言{n}")
        public_actions.moderate(office, public_actions.comment(
            project, f"赵{n}", "13905279999", f"已公开{n}"), approve=True)
    client.force_login(office)
    # session, user, roles, the page's count and its rows (with their projects,
    # commitments and moderators), the counts by state, unread messages, identity
    # (profile, roles), the session's update (its savepoint, the update, the release)
    with django_assert_num_queries(12):
        page = client.get(LIST).content.decode()
    assert page.count('data-testid="comment"') == 6
    with django_assert_num_queries(12):
        page = client.get(LIST, {"state": "approved"}).content.decode()
    assert page.count('data-testid="comment"') == 3 and "孙主任" in page


# --- deciding ---------------------------------------------------------------------------
def test_approving_puts_it_on_the_portal_page_and_nowhere_else(client, office, project,
                                                               comment):
    assert "有事打我电话" not in public_everywhere(client, project)
    client.force_login(office)
    response = decide(client, comment, "approve", state="pending")
    body = response.content.decode()
    assert response.status_code == 200
    assert "已公开该留言。" in body and 'data-testid="outcome"' in body and "孙主任" in body
    # the counts come along (out of band) with the page's state still current
    assert 'id="comment-counts" aria-label="按审核状态" data-testid="state-counts" ' \
           'hx-swap-oob="true"' in body
    assert 'data-testid="count-pending">待审核 <span class="badge rounded-pill ' \
           'text-bg-light border">0<' in body
    assert 'class="nav-link active" href="?state=pending"' in body
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by, comment.moderated_at) == (
        CommentState.APPROVED, office, NOW)
    client.logout()
    detail = client.get(reverse("portal:project", args=[project.pk])).content.decode()
    assert "有事打我电话139****1234" in detail and "李**" in detail
    assert "13905271234" not in detail and "李建国" not in detail
    feeds = feed_and_data(client)
    assert "项目留言" not in feeds  # the feed and the data are live…
    assert project.title in feeds
    assert "有事打我电话" not in feeds and "李**" not in feeds  # …and carry no comments


def test_approving_a_comment_on_a_commitment(client, office, promise):
    comment = public_actions.comment(promise, "王芳", "13905270000", "希望说到做到。")
    url = reverse("portal:commitment", args=[promise.pk])
    assert "希望说到做到" not in client.get(url).content.decode()
    client.force_login(office)
    response = decide(client, comment, "approve", htmx=False, state="pending")
    assert response.status_code == 302 and response["Location"] == f"{LIST}?state=pending"
    assert "已公开该留言。" in client.get(response["Location"]).content.decode()
    client.logout()
    assert "希望说到做到" in client.get(url).content.decode()


def test_rejecting_keeps_it_off_everywhere(client, office, project, comment):
    client.force_login(office)
    body = decide(client, comment, "reject", reason="含个人联系方式").content.decode()
    assert "已决定不予公开该留言。" in body and "含个人联系方式" in body
    comment.refresh_from_db()
    assert (comment.state, comment.reject_reason, comment.moderated_by) == (
        CommentState.REJECTED, "含个人联系方式", office)
    client.logout()
    assert "有事打我电话" not in public_everywhere(client, project)
    # still off once the project is done
    actions.start(office, project)
    for milestone in project.milestones.all():
        actions.complete_milestone(office, milestone, "完成")
    actions.complete(office, project, "疏导区已启用。")
    assert "有事打我电话" not in public_everywhere(client, project)


def test_a_second_decision_is_refused_in_chinese_and_changes_nothing(client, office, project,
                                                                     comment):
    client.force_login(office)
    decide(client, comment, "approve")
    comment.refresh_from_db()
    before = (comment.state, comment.moderated_by_id, comment.moderated_at,
              comment.reject_reason)
    refusal = "该留言已由孙主任于 2026-12-01 10:00 审核，结果为“已公开”，不能重复审核。"
    # a second tab still showing the button: through htmx, the card says so
    with time_machine.travel(at("2026-12-01 11:00"), tick=False):
        body = decide(client, comment, "reject", reason="改主意了").content.decode()
    assert refusal in body and 'data-testid="action-error"' in body
    assert "已决定不予公开" not in body
    # and without JavaScript, the message on the list
    response = decide(client, comment, "reject", htmx=False, state="pending", page="1",
                      follow=True)
    assert refusal in response.content.decode()
    assert response.redirect_chain[-1][0] == f"{LIST}?state=pending&page=1"
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by_id, comment.moderated_at,
            comment.reject_reason) == before
    assert "有事打我电话" in client.get(reverse("portal:project", args=[project.pk])).content \
        .decode()


def test_a_reason_too_long_is_refused_and_kept_in_the_field(client, office, comment):
    client.force_login(office)
    body = decide(client, comment, "reject", reason="长" * 201).content.decode()
    assert "未通过原因不能超过 200 字（现为 201 字）。" in body
    assert 'value="' + "长" * 201 + '"' in body and 'data-action="reject"' in body
    comment.refresh_from_db()
    assert (comment.state, comment.moderated_by) == (CommentState.PENDING, None)


def test_the_admin_moderates_through_the_same_action(client, office, comment):
    """The Django admin's 通过并公开 records who and when, as the console does; a comment
    already decided is left alone."""
    public_actions.moderate(office, comment, approve=False, reason="无关")
    other = public_actions.comment(comment.project, "王女士", "13905270000", "支持")
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    response = client.post(reverse("admin:projects_publiccomment_changelist"),
                           {"action": "approve", "_selected_action": [comment.pk, other.pk]},
                           follow=True)
    assert "已处理 1 条留言。" in response.content.decode()
    comment.refresh_from_db()
    other.refresh_from_db()
    assert (comment.state, comment.moderated_by) == (CommentState.REJECTED, office)
    assert (other.state, other.moderated_by) == (CommentState.APPROVED, root)


# --- the home page ----------------------------------------------------------------------
def test_the_home_page_counts_the_comments_awaiting_moderation(client, office, project,
                                                               promise, comment):
    public_actions.comment(promise, "王芳", "13905270000", "希望说到做到。")
    decided = public_actions.comment(project, "赵六", "13905279999", "广告")
    public_actions.moderate(office, decided, approve=False)
    client.force_login(office)
    response = client.get(reverse("console:home"))
    todo = {item["key"]: item for item in response.context["todo"]}
    assert todo["comments_pending"]["count"] == "2"
    assert todo["comments_pending"]["label"] == "待审核留言"
    assert todo["comments_pending"]["url"] == LIST
    page = response.content.decode()
    assert 'href="/console/comments/" data-testid="todo-comments_pending"' in page
    decide(client, comment, "approve")
    todo = {item["key"]: item for item in client.get(reverse("console:home")).context["todo"]}
    assert todo["comments_pending"]["count"] == "1"
    assert PublicComment.objects.filter(state=CommentState.PENDING).count() == 1
