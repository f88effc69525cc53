from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from llct.core.capabilities import Capability, has_capability
from llct.core.files import open_stored
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status
from llct.core.htmx import render_page
from llct.core.models import AuditEntry
from llct.core.permissions import (
    can_edit_organization,
    can_edit_rolls,
    can_read_rolls,
    require,
)
from llct.core.spreadsheets import XLSX_TYPE
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.organizations import exports, person_services, selectors, services
from llct.organizations.forms import (
    FILTER_FIELDS,
    AsOfForm,
    MembershipRulesForm,
    MergeForm,
    MoveForm,
    OrganizationCreateForm,
    PersonFilterForm,
    PersonForm,
    RenameForm,
    SplitForm,
    person_filter_form,
)
from llct.organizations.models import MembershipRules, Organization, Person


def _today() -> Any:
    return timezone.localdate()


# --- The tree -----------------------------------------------------------------------------


def _tree_links() -> dict[str, str]:
    """The prefixes of a node's links (its page, its branch) + its id: a hundred nodes would
    otherwise reverse two URLs each."""
    return {
        "base": reverse("organizations:tree"),
        "branch_base": reverse("organizations:tree_branch", args=[0]).removesuffix("0/"),
    }


def tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today's tree a level at a time (each branch loads when opened), with the stored people
    counts; or, with a date, the whole tree as it stood then."""
    require(can_read_rolls(request.user))
    as_of = AsOfForm(request.GET or None)
    on = as_of.cleaned_data.get("on") if as_of.is_valid() else None
    context: dict[str, Any] = {"as_of_form": as_of, "on": on, **_tree_links()}
    if on:
        context["lines"] = selectors.tree_lines(
            selectors.organization_tree_as_of(user=request.user, on=on)
        )
    else:
        context["levels"] = [
            selectors.TreeLevel(
                node, selectors.organization_children(user=request.user, parent=node)
            )
            for node in selectors.organization_tree_roots(user=request.user)
        ]
    return render_page(request, "organizations/tree.html", context, fragment="tree")


def tree_branch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The children of one organization: the htmx fragment a branch loads when opened, or a
    page of its own (the link inside the branch, without JavaScript)."""
    require(can_read_rolls(request.user))
    node = selectors.organization_get(user=request.user, pk=pk)
    children = selectors.organization_children(user=request.user, parent=node)
    context = {
        "levels": [selectors.TreeLevel(node, children)],
        "children": children,
        "as_of_form": AsOfForm(),
        **_tree_links(),
    }
    return render_page(request, "organizations/tree.html", context, fragment="branch")


@require_GET
def organization_picker(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The picker's suggestions for what was typed (an htmx fragment)."""
    require(can_read_rolls(request.user) or can_edit_rolls(request.user))
    q = request.GET.get("org_q", "").strip()
    found = selectors.organization_search(user=request.user, q=q) if q else []
    return render(
        request,
        "organizations/organization_picker_results.html",
        {"organizations": found, "q": q, "more": len(found) >= selectors.PICKER_LIMIT},
    )


def tree_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(can_read_rolls(request.user))
    fmt = request.GET.get("format", "xlsx")
    orgs = selectors.organization_scope(user=request.user).select_related("parent")
    return exports.organizations_response(orgs, fmt=fmt)


def organization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get(user=request.user, pk=pk)
    context = {
        "organization": organization,
        "children": organization.children.filter(dissolved_on__isnull=True).select_related("kind"),
        "versions": organization.versions.select_related("parent", "kind"),
        "events": organization.events.select_related("actor"),
        "people_count": organization.subtree_people_count,  # stored (counts.py)
        "can_edit": can_edit_organization(request.user, organization)
        and organization.dissolved_on is None,
        "can_add_child": can_edit_rolls(request.user) and organization.dissolved_on is None,
    }
    return render_page(request, "organizations/organization_detail.html", context)


def _org_action_form(
    request: AuthenticatedHttpRequest, organization: Organization, form_class: type[Form]
) -> Form:
    kwargs: dict[str, Any] = {}
    if form_class in (MoveForm, MergeForm):
        choices = selectors.organization_choices(user=request.user)
        kwargs["organizations"] = choices.exclude(pk=organization.pk)
    initial: dict[str, Any] = {"effective_on": _today()}
    # The form is built from the row as it is now, on GET and POST alike: that is its version.
    if form_class is RenameForm:
        initial["name"] = organization.name
    if form_class is MoveForm:
        initial["new_parent"] = organization.parent_id
    return form_class(request.POST or None, initial=initial, **kwargs)


def _org_action(
    request: AuthenticatedHttpRequest, pk: int, form_class: type[Form], action: str, title: str
) -> HttpResponse:
    organization = selectors.organization_get(user=request.user, pk=pk)
    require(can_edit_organization(request.user, organization))
    form = _org_action_form(request, organization, form_class)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.organization_change(
                action=action,
                organization=organization,
                data=form.cleaned_data,
                actor=request.user,
                today=_today(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _org_changed(request, form, organization, created)
    context = {"organization": organization, "form": form, "title": title, "action": action}
    return render_page(
        request, "organizations/organization_action.html", context, status=form_status(form)
    )


def _org_changed(
    request: AuthenticatedHttpRequest,
    form: Form,
    organization: Organization,
    created: list[Organization],
) -> HttpResponse:
    if created:
        names = ", ".join(o.name for o in created)
        messages.success(request, _("Created %(names)s.") % {"names": names})
    messages.success(request, _("The change has been recorded."))
    announce_merge(request, form)
    return redirect("organizations:detail", pk=organization.pk)


def organization_rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _org_action(request, pk, RenameForm, "rename", _("Rename"))


def organization_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _org_action(request, pk, MoveForm, "move", _("Move to another parent"))


def organization_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _org_action(
        request, pk, MergeForm, "merge", _("Merge other organizations into this one")
    )


def organization_split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _org_action(request, pk, SplitForm, "split", _("Split"))


def organization_create_child(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parent = selectors.organization_get(user=request.user, pk=pk)
    require(can_edit_rolls(request.user) and parent.dissolved_on is None)
    form = OrganizationCreateForm(request.POST or None, initial={"founded_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organization_create(
                parent=parent, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": child.name})
            return redirect("organizations:detail", pk=child.pk)
    return render_page(
        request,
        "organizations/organization_action.html",
        {
            "organization": parent,
            "form": form,
            "title": _("Add a sub-organization"),
            "action": "create",
        },
        status=form_status(form),
    )


# --- People -------------------------------------------------------------------------------


def _filtered_people(request: AuthenticatedHttpRequest) -> tuple[PersonFilterForm, Any]:
    form = person_filter_form(user=request.user, data=request.GET)
    return form, selectors.person_list(user=request.user, filters=form.person_filter())


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(can_read_rolls(request.user))
    form = person_filter_form(user=request.user, data=request.GET)
    filters = form.person_filter()
    people = selectors.person_list(user=request.user, filters=filters, inline_subtrees=True)
    page = selectors.person_page(
        people,
        size=settings.PEOPLE_PAGE_SIZE,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
    )
    count, more = selectors.person_list_count(
        user=request.user, filters=filters, people=people, page=page
    )
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    return render_page(
        request,
        "organizations/person_list.html",
        {"form": form, "page": page, "count": count, "count_more": more, "query": query.urlencode(),
         "can_edit": can_edit_rolls(request.user), "subtree": filters.subtree},
        fragment="results",
    )  # fmt: skip


def person_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A small list downloads at once; a large one is written by a task (progress page)."""
    require(can_read_rolls(request.user))
    _form, people = _filtered_people(request)
    if not selectors.capped_count(people, cap=exports.EXPORT_INLINE_MAX)[1]:
        return exports.people_response(people)
    export = exports.people_export_start(
        user=request.user,
        filters={k: request.GET.get(k, "") for k in FILTER_FIELDS if k in request.GET},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return redirect("organizations:people_export_detail", pk=export.pk)


def people_export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = exports.people_export_get(user=request.user, pk=pk)
    return render_page(
        request,
        "organizations/people_export.html",
        {"export": export, "working": export.working},
        fragment="status",
    )


def people_export_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    export = exports.people_export_get(user=request.user, pk=pk)
    if export.status != export.Status.DONE or not export.file:
        raise Http404
    return FileResponse(
        open_stored(export.file),
        as_attachment=True,
        filename=f"danh-sach-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.xlsx",
        content_type=XLSX_TYPE,
    )


def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    tab = request.GET.get("tab", "info")
    context: dict[str, Any] = {
        "person": person,
        "tab": tab,
        "can_edit": can_edit_rolls(request.user),
        "probation_ends_on": person.probation_ends_on(),
    }
    if tab == "history":
        context["audit"] = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
        ).select_related("actor")
        context["stages"] = person.stage_changes.select_related("actor")
        context["levels"] = person.level_changes.select_related("actor")
        context["transfers"] = person.transfers.select_related(
            "from_organization", "to_organization", "actor"
        )
    return render_page(request, "organizations/person_detail.html", context, fragment="tab")


def _person_form(request: AuthenticatedHttpRequest, person: Person | None) -> PersonForm:
    return PersonForm(
        request.POST or None,
        instance=person,
        organizations=selectors.organization_choices(user=request.user),
        cutover_on=MembershipRules.current().cutover_on,
    )


def _person_form_page(
    request: AuthenticatedHttpRequest, form: PersonForm, person: Person | None
) -> HttpResponse:
    context = {"form": form, "person": person}
    return render_page(request, "organizations/person_form.html", context, status=form_status(form))


def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(can_edit_rolls(request.user))
    form = _person_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_services.person_create(
                data=form.person_data(), actor=request.user, today=_today()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": person.full_name})
            return redirect("organizations:person_detail", pk=person.pk)
    return _person_form_page(request, form, None)


def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(can_edit_rolls(request.user))
    person = selectors.person_get(user=request.user, pk=pk)
    form = _person_form(request, person)
    if request.method == "POST" and form.is_valid():
        try:
            person_services.person_update(
                person=person,
                data=form.person_data(),
                actor=request.user,
                today=_today(),
                effective_on=form.cleaned_data.get("effective_on"),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("organizations:person_detail", pk=person.pk)
    return _person_form_page(request, form, person)


# --- Settings: the party rules ------------------------------------------------------------


def membership_rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(has_capability(request.user, Capability.EDIT_PARTY_RULES))
    rules = MembershipRules.current()
    form = MembershipRulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            person_services.membership_rules_update(
                rules=MembershipRules.objects.get(pk=rules.pk),
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("organizations:membership_rules")
    return render_page(
        request,
        "organizations/membership_rules.html",
        {"form": form},
        status=form_status(form),
    )
