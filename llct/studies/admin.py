from django.contrib import admin

from llct.studies.models import Campaign, Contest, QuestionBank


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["title", "organization", "starts_on", "deadline"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin[Contest]):
    list_display = ["title", "opens_at", "closes_at", "question_count", "minutes"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin[QuestionBank]):
    list_display = ["title", "document", "created_at"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
