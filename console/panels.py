"""An object page whose actions post through htmx (projects, commitments, supervision
orders): the answer to an htmx request is the page's panel alone, to a plain request the
whole page — one rule for every such page."""

from __future__ import annotations

from django.shortcuts import render


def respond(request, folder: str, context: dict, status: int = 200):
    """``console/<folder>/_panel.html`` for htmx, else ``console/<folder>/detail.html``
    with ``status`` (400 after a refused action)."""
    if request.headers.get("HX-Request"):
        return render(request, f"console/{folder}/_panel.html", context)
    return render(request, f"console/{folder}/detail.html", context, status=status)
