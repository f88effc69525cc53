"""Test helpers that act as a browser would: read the form on a page and post it back, and
have two users edit the same record at once."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.test import Client

TEXT_TYPES = {"text", "hidden", "number", "email", "url", "search", "tel", "date", "time", ""}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self.current: dict[str, list[str]] | None = None
        self.select: str | None = None
        self.select_seen: dict[str, bool] = {}
        self.first_option: dict[str, str] = {}
        self.option: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and "disabled" not in a:
            self._input(self.current, name, a)
        elif tag == "select" and name and "disabled" not in a:
            self.select = name
            self.select_seen[name] = False
        elif tag == "option" and self.select:
            self._option(self.current, self.select, a)
        elif tag == "textarea" and name:
            self.textarea = name
            self.current[name] = [""]

    def _input(self, form: dict[str, list[str]], name: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower()
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                form.setdefault(name, []).append(a.get("value", "on"))
        elif kind in TEXT_TYPES:
            form.setdefault(name, []).append(a.get("value", ""))

    def _option(self, form: dict[str, list[str]], select: str, a: dict[str, str]) -> None:
        value = a.get("value")
        self.option = value
        self.first_option.setdefault(select, value or "")
        if "selected" in a:
            form.setdefault(select, []).append(value or "")
            self.select_seen[select] = True

    def handle_data(self, data: str) -> None:
        if self.textarea and self.current is not None:
            self.current[self.textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select and self.current is not None:
            if not self.select_seen[self.select] and self.select in self.first_option:
                self.current.setdefault(self.select, []).append(self.first_option[self.select])
            self.select = None
        elif tag == "textarea":
            if self.textarea and self.current is not None:
                # A browser drops the newline right after <textarea>.
                self.current[self.textarea][0] = self.current[self.textarea][0].removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.current = None


def form_data(html: str, *, having: str) -> dict[str, Any]:
    """What a browser would post from the form on the page that has a field named `having`:
    one value per name, a list where there are several (ticked boxes, multiple selects)."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if having in form:
            return {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    raise AssertionError(f"No form with a field named {having!r} on the page")


@dataclass
class TwoUsers:
    """Both users opened the edit page; then each posts their changes in turn."""

    first: Any  # the first user's response
    second: Any  # the second user's response


def edit_at_once(
    clients: tuple[Client, Client],
    url: str,
    *,
    having: str,
    first_changes: Mapping[str, Any],
    second_changes: Mapping[str, Any],
    extra: Callable[[dict[str, Any]], None] | None = None,
    post_to: str | None = None,
) -> TwoUsers:
    """Both clients GET `url`; the first posts its form with `first_changes`, then the second
    posts the form it read before with `second_changes` (to `post_to`, the form's action, when
    the page posts elsewhere)."""
    forms = []
    for client in clients:
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        forms.append(form_data(page.text, having=having))
    responses = []
    for client, data, changes in zip(clients, forms, (first_changes, second_changes), strict=True):
        data = {**data, **changes}
        if extra:
            extra(data)
        responses.append(client.post(post_to or url, data))
    return TwoUsers(*responses)


def post_again(
    client: Client,
    url: str,
    refused: Any,
    *,
    having: str,
    extra: Callable[[dict[str, Any]], None] | None = None,
    post_to: str | None = None,
) -> Any:
    """Post the form of a refusal page as it came back (what was typed, the new version)."""
    data = form_data(refused.content.decode(), having=having)
    if extra:
        extra(data)
    return client.post(post_to or url, data)


REFUSED = "Người khác đã lưu bản ghi này sau khi bạn mở nó"


def assert_no_lost_update(
    clients: tuple[Client, Client],
    url: str,
    *,
    having: str,
    first: Mapping[str, Any],
    second: Mapping[str, Any],
    clash: tuple[str, Any, Any],
    after: str | None = None,
    extra: Callable[[dict[str, Any]], None] | None = None,
    post_to: str | None = None,
) -> None:
    """Two users open the edit page at `url` and both save.

    1. They change different fields (`first`, `second`): both changes are kept.
    2. They change the same field (`clash`: name, first value, second value): the second save
       is refused with the message and the first user's value, nothing of it is written; the
       refused form posted again keeps the second user's value and everything else saved.

    The stored values are read back from the edit page (or `after`, when saving moves the
    record elsewhere), as a browser would post them."""

    def stored() -> dict[str, Any]:
        return form_data(clients[0].get(after or url).text, having=having)

    both = edit_at_once(
        clients,
        url,
        having=having,
        first_changes=first,
        second_changes=second,
        extra=extra,
        post_to=post_to,
    )
    assert both.first.status_code == 302, both.first.content.decode()[-3000:]
    assert both.second.status_code == 302, both.second.content.decode()[-3000:]
    now = stored()
    for name, value in {**first, **second}.items():
        assert now.get(name, "") == value, (name, now.get(name), value)

    name, mine, theirs = clash
    both = edit_at_once(
        clients,
        url,
        having=having,
        first_changes={name: mine},
        second_changes={name: theirs},
        extra=extra,
        post_to=post_to,
    )
    assert both.first.status_code == 302, both.first.content.decode()[-3000:]
    assert both.second.status_code == 422, both.second.status_code
    page = both.second.content.decode()
    assert REFUSED in page
    assert stored()[name] == mine
    again = post_again(clients[1], url, both.second, having=having, extra=extra, post_to=post_to)
    assert again.status_code == 302, again.content.decode()[-3000:]
    now = stored()
    assert now[name] == theirs
    for other, value in {**first, **second}.items():
        if other != name:
            assert now.get(other, "") == value, (other, now.get(other), value)


def two_clients(first: Any, second: Any) -> tuple[Client, Client]:
    """Two browsers, signed in as these users (two may be the same account on two machines)."""
    clients = (Client(), Client())
    for client, user in zip(clients, (first, second), strict=True):
        client.force_login(user)
    return clients
