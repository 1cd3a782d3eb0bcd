"""The counts on the demand list's queue tabs, without the view computing them:
``{% load queue_counts %}{% queue_tabs queues as tabs %}{% for q, count in tabs %}…``."""

from __future__ import annotations

from django import template

from demands import queues

register = template.Library()

# Above this many, a queue shows "1000+": counting further would cost a full scan of a
# bureau-wide queue on every page view for a figure nobody reads digit by digit.
COUNT_LIMIT = 1000


def count_label(count: int, limit: int) -> str:
    """``queue_counts``' answer as shown: exact, or "1000+" past the limit."""
    return f"{limit}+" if count > limit else str(count)


@register.simple_tag(takes_context=True)
def queue_tabs(context, queue_list) -> list[tuple]:
    """The queues with how many demands each holds for the signed-in user, as
    ``(queue, "12")`` pairs (one query for all of them; "1000+" past the limit)."""
    counts = queues.queue_counts(context["request"].user, [q.key for q in queue_list],
                                 exact_limit=COUNT_LIMIT)
    return [(queue, count_label(counts[queue.key], COUNT_LIMIT)) for queue in queue_list]
