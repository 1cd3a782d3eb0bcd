"""工作通报 on the portal: the issued bulletins the office made public, through
``bulletins.public`` only (文号, title, date and the issued file)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from bulletins import public

PAGE_SIZE = 20
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bulletin_list(request):
    page = Paginator(public.bulletins(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/bulletins.html", {"page": page})


def bulletin_download(request, pk):
    found = public.bulletin_file(pk)
    if found is None:
        raise Http404
    handle, name = found
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=DOCX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
