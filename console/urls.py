from django.urls import path

from . import (
    away_views,
    booking_views,
    demand_views,
    import_views,
    notice_views,
    search_views,
    views,
)
from .duplicate_views import duplicate_decide, duplicate_queue
from .hotspot_views import draft_create, draft_detail, draft_list, hotspot_list
from .routing_views import routing_admin

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("org/", views.org_tree, name="org_tree"),
    path("org/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("demands/", demand_views.demand_list, name="demand_list"),
    path("demands/new/", demand_views.demand_register, name="demand_register"),
    path("demands/export.xlsx", demand_views.demand_export, name="demand_export"),
    path("demands/<str:number>/", demand_views.demand_detail, name="demand_detail"),
    path("demands/<str:number>/act/<slug:name>/", demand_views.demand_act, name="demand_act"),
    path("search/", search_views.search, name="search"),
    path("dashboard/", demand_views.dashboard, name="dashboard"),
    path("routing/", routing_admin, name="routing"),
    path("hotspots/", hotspot_list, name="hotspots"),
    path("project-drafts/", draft_list, name="project_drafts"),
    path("project-drafts/new/", draft_create, name="project_draft_create"),
    path("project-drafts/<int:pk>/", draft_detail, name="project_draft"),
    path("duplicates/", duplicate_queue, name="duplicates"),
    path("duplicates/<int:pk>/<slug:decision>/", duplicate_decide, name="duplicate_decide"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.xlsx", import_views.import_errors, name="import_errors"),
    path("imports/<int:pk>/resume/", import_views.import_resume, name="import_resume"),
    path("inbox/", demand_views.inbox, name="inbox"),
    path("away/", away_views.away, name="away"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("bookings/", booking_views.bookings, name="bookings"),
    path("notices/<str:number>/", notice_views.notice_detail, name="notice_detail"),
    path("away/<int:pk>/end/", away_views.away_end, name="away_end"),
]
