from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from api.v1 import api

from . import views

admin.site.site_header = "三满意服务平台 · 管理后台"
admin.site.site_title = "三满意管理后台"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("", include("portal.urls")),
    path("console/", include("console.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include(("open311.urls", "open311"))),
    path("healthz", views.healthz, name="healthz"),
]

if settings.SERVE_MEDIA:
    # The embedded default serves uploads itself; behind nginx, set SERVE_MEDIA=0.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", serve,
                            {"document_root": settings.MEDIA_ROOT})]
