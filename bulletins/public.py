"""The one public view of bulletins: what the portal lists and serves. Only bulletins
that are issued and marked public exist here, and of them only the 文号, title, kind and
date of issue — and the issued file, whose personal data the template has masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import Bulletin, State


@dataclass(frozen=True)
class PublicBulletin:
    pk: int
    number: str
    title: str
    kind: str
    issued_on: dt.date


def _shown():
    return Bulletin.objects.filter(state=State.ISSUED, public=True)


def bulletins():
    """Issued public bulletins, newest first, as ``PublicBulletin`` (a lazy list the
    portal pages through: slicing it is one query)."""
    return _Listing(_shown().order_by("-issued_at", "-id").only(
        "pk", "number", "title", "kind", "issued_at"))


def bulletin_file(pk: int):
    """``(open file, download name)`` of an issued public bulletin, or ``None``."""
    found = _shown().filter(pk=pk).only("edited_file", "generated_file", "number",
                                        "title").first()
    if found is None or not found.document:
        return None
    return found.document.open("rb"), found.download_name


def _public(bulletin: Bulletin) -> PublicBulletin:
    return PublicBulletin(bulletin.pk, bulletin.number, bulletin.title,
                          bulletin.get_kind_display(),
                          timezone.localtime(bulletin.issued_at).date())


class _Listing:
    """A queryset's rows turned into ``PublicBulletin`` as they are read (what Django's
    paginator needs: ``count()`` and slicing)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = self.queryset[index]
        if isinstance(index, slice):
            return [_public(row) for row in rows]
        return _public(rows)
