from django.urls import path

from . import bulletin_views, feeds, project_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/evaluate/", views.evaluate_by_phone, name="evaluate_by_phone"),
    path("demands/", views.demand_board, name="demands"),
    path("board/", views.board, name="board"),
    path("services/", views.services, name="services"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:slot_id>/", views.book, name="book"),
    path("appointments/cancel/", views.cancel_booking, name="cancel_booking"),
    path("services/<slug:code>/", views.service, name="service"),
    path("board/<slug:code>/", views.board_unit, name="board_unit"),
    path("e/<str:token>/", views.evaluate, name="evaluate"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/feed/", feeds.ProjectFeed(), name="project_feed"),
    path("open-data/<slug:name>.<str:fmt>", feeds.open_data, name="open_data"),
    path("projects/<int:pk>/", project_views.project_detail, name="project"),
    path("commitments/", project_views.commitment_list, name="commitments"),
    path("commitments/<int:pk>/", project_views.commitment_detail, name="commitment"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>.docx", bulletin_views.bulletin_download, name="bulletin_download"),
]
