"""Rich text from editors, made safe with nh3 (the maintained binding of the ammonia
sanitizer): an allow-list of tags and attributes, no scripts, no inline styles or event
handlers (the CSP would block them anyway), links opened without the referrer."""

from django.utils.text import slugify

from llct.core.text import clean_text, fold

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "q",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images come from the portal's own uploads only: the CSP allows no other origin, and a
    # remote image would tell a third party who reads the article.
    if tag == "img" and attribute == "src" and not value.startswith("/"):
        return None
    return value


def sanitize_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def html_text(html: str) -> str:
    """The words of an HTML fragment, tags removed (for search and for descriptions)."""
    import nh3

    return clean_text(nh3.clean(html, tags=set()))


def slug_from(title: str, *, max_length: int = 100) -> str:
    """An ASCII address from a Vietnamese title: "Hội nghị quán triệt Nghị quyết" ->
    "hoi-nghi-quan-triet-nghi-quyet" (fold first: slugify alone drops "Đ")."""
    slug = slugify(fold(title))[:max_length].strip("-")
    return slug or "bai-viet"
