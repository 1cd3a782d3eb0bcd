"""The Atom feed of practical projects (实事项目动态) and the open data files, both read
from ``projects.public`` — masked texts, public projects only (docs/open-data.md)."""

from __future__ import annotations

import csv
import io
import json

from django.contrib.syndication.views import Feed
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from projects import public


class ProjectFeed(Feed):
    feed_type = Atom1Feed
    title = "实事项目动态"
    subtitle = "为民办实事项目的公示、进展、延期与完成，接受群众监督。"

    def link(self):
        return reverse("portal:projects")

    def items(self):
        return public.feed_entries()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return reverse("portal:project", args=[item.project_pk]) + f"#e{item.event_pk}"

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at


DATASETS = {
    "projects": (public.project_records, public.PROJECT_FIELDS),
    "commitments": (public.commitment_records, public.COMMITMENT_FIELDS),
}


def open_data(request, name: str, fmt: str):
    if name not in DATASETS or fmt not in ("csv", "json"):
        raise Http404
    records, fields = DATASETS[name]
    rows = records()
    if fmt == "json":
        body = json.dumps({"fields": fields, "records": rows}, ensure_ascii=False,
                          cls=DjangoJSONEncoder)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("是" if v is True else "否" if v is False else v)
                         for k, v in row.items()})
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
