from django.contrib import admin

from .models import Mention, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "district", "confirmed", "is_active", "demand_count",
                    "source")
    list_filter = ("kind", "confirmed", "is_active", "source")
    search_fields = ("name",)


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("demand", "name", "kind", "field", "place")
    list_filter = ("kind", "field")
    search_fields = ("name", "demand__number")
    raw_id_fields = ("demand", "place")
