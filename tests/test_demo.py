"""The demo city: complete, deterministic and idempotent."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Campaign
from enterprises.models import Enterprise
from lib import creditcode
from org.models import Role, RoleAssignment, StaffProfile, Unit, UnitKind

DOMAIN_APPS = ("org", "enterprises", "campaigns", "catalog", "demands", "inbox", "projects",
               "supervision", "assessment", "bulletins")


def snapshot() -> dict[str, str]:
    """Every row of the domain apps and the user table, serialised, keyed by model."""
    models = [m for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models()]
    models.append(get_user_model())
    return {m._meta.label: serializers.serialize("json", m.objects.order_by("pk"))
            for m in models}


@pytest.mark.django_db
def test_loading_the_demo_twice_leaves_the_same_rows():
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first


@pytest.mark.django_db
def test_the_demo_repairs_what_was_changed_but_keeps_a_changed_password():
    call_command("load_demo", verbosity=0)
    unit = Unit.objects.get(code="huanwei")
    unit.name = "改坏了"
    unit.save()
    leader = get_user_model().objects.get(username="leader")
    leader.set_password("A-New-Password-2026")
    leader.save()
    RoleAssignment.objects.filter(user=leader).delete()
    call_command("load_demo", verbosity=0)
    unit.refresh_from_db()
    leader.refresh_from_db()
    assert unit.name == "宿迁市环境卫生管理处"
    assert leader.check_password("A-New-Password-2026")
    assert RoleAssignment.objects.filter(user=leader, role=Role.LEADER).exists()


@pytest.mark.django_db
def test_the_demo_city_has_every_kind_of_unit_role_and_the_seed_enterprises():
    call_command("load_demo", verbosity=0)
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    for name in ("办公室", "机关党委", "督查室"):
        assert Unit.objects.filter(name=name, kind=UnitKind.OFFICE).exists()
    for fragment in ("市容", "环境卫生", "市政设施", "园林绿化", "路灯", "执法支队",
                     "数字化城市管理"):
        assert Unit.objects.filter(name__contains=fragment).exists(), fragment
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    # Every staff member sits in the tree and has at least one role.
    assert StaffProfile.objects.count() == get_user_model().objects.count() >= 30
    assert not StaffProfile.objects.filter(user__role_assignments__isnull=True).exists()
    for name in ("科思化工", "江苏艾玛凯宠物用品有限公司", "宿迁市御珍家私有限公司",
                 "江苏托维亮化科技有限公司"):
        assert Enterprise.objects.filter(name=name).exists()
    assert Enterprise.objects.count() == 5
    for enterprise in Enterprise.objects.exclude(credit_code=""):
        assert creditcode.is_valid(enterprise.credit_code)
    campaign = Campaign.objects.get(code="sanmanyi-2015")
    phases = [p.name for p in campaign.phases.order_by("order")]
    assert phases == ["动员部署", "集中推进", "总结完善"]
    assert campaign.office_unit.name == "机关党委"


@pytest.mark.django_db
def test_the_demo_shows_a_campaign_in_progress():
    """The 2015 plan copied into this year: the seed's targets, plans filed on time, late
    and not at all, people ahead of and behind pace, the five enterprises paired."""
    from activities import progress
    from activities.demo import _year_start
    from campaigns.models import Filing, Reminder
    from enterprises.models import Pairing

    call_command("load_demo", verbosity=0)
    year = _year_start(timezone.localdate()).year
    current = Campaign.objects.get(code=f"sanmanyi-{year}")
    assert current.copied_from.code == "sanmanyi-2015"
    assert [p.name for p in current.phases.order_by("order")] == ["动员部署", "集中推进",
                                                                   "总结完善"]
    assert current.targets.count() == 3
    filings = Filing.objects.filter(requirement__phase__campaign=current)
    assert filings.filter(late=True).exists() and filings.filter(late=False).exists()
    assert current.participants.count() > filings.values("unit").distinct().count()
    assert Reminder.objects.filter(requirement__phase__campaign=current).count() == 1
    statuses = {row.pace.status for row in progress.rows(current.targets.all())}
    assert "behind" in statuses and statuses & {"done", "on_pace"}
    assert Pairing.objects.filter(year=year).values("enterprise").distinct().count() == 5
    call_command("load_demo", verbosity=0)  # idempotent
    assert Campaign.objects.filter(code=f"sanmanyi-{year}").count() == 1


@pytest.mark.django_db
def test_the_command_prints_the_logins_it_promises():
    from io import StringIO

    out = StringIO()
    call_command("load_demo", "--logins", stdout=out)
    text = out.getvalue()
    assert "演示账号" in text
    assert "leader" in text and "周建国" in text and "局领导" in text


@pytest.mark.django_db
def test_a_new_installation_shows_projects_in_every_state_and_a_public_board(client):
    """Issue #11 item 7: the public pages of a new installation are not empty."""
    from demands.models import Demand
    from projects import public
    from projects.models import Commitment, Project, ProjectState

    call_command("load_demo", verbosity=0)
    assert set(Project.objects.values_list("state", flat=True)) == set(ProjectState.values)
    done = Project.objects.get(state=ProjectState.DONE)
    assert done.ratings.count() and done.photos.count() and done.demands.count()
    assert public.project(done.pk).satisfaction.rated == done.ratings.count()
    assert Commitment.objects.filter(kind="rectification", overdue_flag=True).exists()
    assert Demand.objects.filter(consent_publish=True).count() >= 10
    requests = client.get("/open311/v2/requests.json").json()
    assert len(requests) >= 1


@pytest.mark.django_db
def test_a_new_installation_has_orders_an_assessment_and_a_public_bulletin(client):
    """Issue #13: the demo's orders in every state, last month's published ranking, and
    last month's bulletin issued and on the portal, its .docx opening with python-docx."""
    import io

    import docx

    from assessment import queries
    from bulletins.models import Bulletin
    from supervision.models import OrderState, SupervisionOrder

    call_command("load_demo", verbosity=0)
    assert set(SupervisionOrder.objects.values_list("state", flat=True)) == \
        set(OrderState.values)
    assert queries.latest_ranking()[0].rank == 1
    bulletin = Bulletin.objects.get()
    assert bulletin.public and bulletin.state == "issued"
    page = client.get("/bulletins/").content.decode()
    assert bulletin.number in page and bulletin.title in page
    download = [part.split('"', 1)[0] for part in page.split('href="')[1:]
                if part.startswith("/bulletins/") and part.split('"', 1)[0] != "/bulletins/"]
    assert download
    response = client.get(download[0])
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert bulletin.number in "\n".join(p.text for p in document.paragraphs)
