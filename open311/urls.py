from django.urls import path, register_converter

from . import views


class FormatConverter:
    """Only the two formats the spec defines; anything else is a plain 404."""

    regex = "xml|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")
app_name = "open311"
FMT = "<fmt:fmt>"

urlpatterns = [
    path(f"discovery.{FMT}", views.discovery, name="discovery"),
    path(f"services.{FMT}", views.services, name="services"),
    path(f"services/<slug:code>.{FMT}", views.service_definition, name="service"),
    path(f"requests.{FMT}", views.requests_view, name="requests"),
    path(f"requests/<str:request_id>.{FMT}", views.request_detail, name="request"),
    path(f"tokens/<str:token_id>.{FMT}", views.token, name="token"),
]
