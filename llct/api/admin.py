from django.contrib import admin

from llct.api.models import ApiToken, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Read here; issued and revoked on the connections pages (the secret is shown once)."""

    list_display = ["name", "prefix", "organization", "role", "expires_on", "revoked_at"]
    readonly_fields = ["prefix", "digest", "principal", "last_used_at", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ["url", "token", "is_active", "created_at"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "event"]
