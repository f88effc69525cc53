from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from llct.core.models import User


@admin.register(User)
class LLCTUserAdmin(UserAdmin[User]):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("LLCT", {"fields": ("role", "organization", "person")}),
    )
    list_display = ["username", "first_name", "last_name", "role", "organization"]
    raw_id_fields = ["organization", "person"]
