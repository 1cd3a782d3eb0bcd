"""The console's search page: ranked matches among the demands the user may view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import render

from insights import search as searching
from org import access

PAGE_SIZE = 20


@login_required
def search(request):
    if not access.can_anywhere(request.user, "demand.view"):
        raise PermissionDenied
    text = request.GET.get("q", "")
    try:
        page = max(1, min(int(request.GET.get("page") or 1), 1000))
    except ValueError:
        page = 1
    results, error = None, None
    if "q" in request.GET:  # an empty box submitted gets the message, not a blank page
        try:
            results = searching.search(request.user, text, limit=PAGE_SIZE,
                                       offset=(page - 1) * PAGE_SIZE)
        except searching.SearchError as problem:
            error = problem.message

    def page_url(number):
        params = QueryDict(mutable=True)
        params["q"] = text
        if number > 1:
            params["page"] = str(number)
        return f"?{params.urlencode()}"

    return render(request, "console/search.html", {
        "q": text, "results": results, "error": error, "page": page,
        "next_url": page_url(page + 1) if results and results.has_next else None,
        "previous_url": page_url(page - 1) if results and results.has_previous else None,
    }, status=400 if error else 200)
