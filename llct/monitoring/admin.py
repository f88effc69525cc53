from django.contrib import admin

from llct.monitoring.models import IndicatorSnapshot, MonitoringSettings, Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["number", "title", "start_year", "end_year"]


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(admin.ModelAdmin[IndicatorSnapshot]):
    list_display = ["indicator", "variant", "organization", "year", "numerator", "denominator"]
    list_filter = ["indicator", "year"]


admin.site.register(MonitoringSettings)
