from django.contrib import admin

from llct.portal.models import Article, Category, Document


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "slug", "rank"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    """Read-only: articles are written and published in the app, where the body is sanitized
    and the public cache is refreshed."""

    list_display = ["title", "category", "status", "published_at", "author_name"]
    list_filter = ["status", "category"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["number", "issuer", "issued_on", "kind", "access"]
    list_filter = ["kind", "access"]
    exclude = ["search_text"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
