from django.contrib import admin

from llct.organizations.models import Organization, OrganizationKind, Person


@admin.register(OrganizationKind)
class OrganizationKindAdmin(admin.ModelAdmin[OrganizationKind]):
    list_display = ["name", "code", "rank", "is_grassroots"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["code", "name", "kind", "parent", "dissolved_on"]
    search_fields = ["code", "name"]
    readonly_fields = ["path", "depth"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["full_name", "organization", "stage", "theory_level"]
    search_fields = ["search_key"]
    raw_id_fields = ["organization"]
