"""Read models of the catalogue for the interfaces."""

from __future__ import annotations

from .models import Category


def leaf_categories() -> list:
    """Choices for a category select: the active leaf categories grouped by their top
    category, each with its committed time limit."""
    choices = [("", "请选择类别")]
    groups: dict[str, list] = {}
    for category in Category.objects.filter(is_active=True, parent__isnull=False) \
            .select_related("parent").order_by("parent__sort_order", "sort_order"):
        groups.setdefault(category.parent.name, []).append(
            (category.code, f"{category.name}（{category.time_limit_label}）"))
    return choices + list(groups.items())
