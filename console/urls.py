from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("org/", views.org_tree, name="org_tree"),
    path("org/<slug:code>/", views.unit_detail, name="unit_detail"),
]
