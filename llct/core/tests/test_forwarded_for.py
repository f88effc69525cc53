from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from llct.core.middleware import ForwardedForMiddleware


def _seen(remote: str, forwarded: str | None) -> str:
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    ForwardedForMiddleware(view)(request)
    return str(seen["addr"])


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_client_address_is_the_one_our_proxy_appended():
    assert _seen("127.0.0.1", "6.6.6.6, 203.0.113.9") == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_client_talking_directly_cannot_pretend_another_address():
    assert _seen("198.51.100.7", "203.0.113.9") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored():
    assert _seen("127.0.0.1", "203.0.113.9") == "127.0.0.1"
