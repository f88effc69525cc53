from django.contrib import admin

from llct.curriculum.models import Lecturer, LessonPlan, Programme, Topic


class TopicInline(admin.TabularInline[Topic, Programme]):
    model = Topic
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["code", "name", "kind", "default_days", "issues_certificate", "is_active"]
    inlines = [TopicInline]


@admin.register(LessonPlan)
class LessonPlanAdmin(admin.ModelAdmin[LessonPlan]):
    """Read-only: a version is never edited, a new one is uploaded in the app."""

    list_display = ["topic", "version", "original_name", "author", "created_at"]
    list_select_related = ["topic", "author"]
    readonly_fields = ["topic", "version", "file", "original_name", "note", "author", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Lecturer)
class LecturerAdmin(admin.ModelAdmin[Lecturer]):
    list_display = ["full_name", "kind", "workplace", "is_active"]
    search_fields = ["full_name", "workplace"]
    raw_id_fields = ["person", "user"]
    filter_horizontal = ["topics"]
