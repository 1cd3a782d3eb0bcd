"""The demo's assessment: a scheme mirroring the seed and last month's assessment,
computed and published, built through the actions and left alone by a second run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone

from assessment import queries
from assessment.models import Assessment, Objection, Scheme

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, str]:
    return {model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
            for model in apps.get_app_config("assessment").get_models()}


def test_the_demo_ships_a_scheme_mirroring_the_seed_and_a_published_assessment():
    call_command("load_demo", verbosity=0)
    scheme = Scheme.objects.get()
    labels = [indicator.label for indicator in scheme.indicators.all()]
    assert labels[:4] == ["群众满意率", "基层满意率", "企业满意率", "按时办结率"]
    assert {"目标任务完成率", "实施方案及材料按时报送率", "实事项目节点按时完成率",
            "督办按时反馈率"} <= set(labels)
    assert sum(indicator.weight for indicator in scheme.indicators.all()) == 100
    assert set(scheme.units.all()) == set(scheme.campaign.participants.all())
    assessment = Assessment.objects.get()
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    assert (assessment.starts_on, assessment.ends_on) == (last_month.replace(day=1), last_month)
    assert assessment.state == "published" and assessment.computed_at is not None
    ranking = queries.latest_ranking()
    assert ranking and ranking[0].rank == 1
    ranks = [row.rank for row in ranking if row.rank is not None]
    assert ranks == sorted(ranks)
    assert assessment.adjustments.count() == 1
    assert Objection.objects.get().state == "pending"
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first
