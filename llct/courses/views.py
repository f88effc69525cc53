"""Course pages: the list, the course page, course and session forms, generating sessions,
enrolment and withdrawal. Views parse, call a selector or a service, and render or redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.assessment.selectors import may_enter_results
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status
from llct.core.forms import query_without_page as _query_without_page
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.courses import attendance, selectors
from llct.courses.forms import (
    CourseFilterForm,
    CourseForm,
    EnrolForm,
    SessionForm,
    WithdrawForm,
    people_filter,
)
from llct.courses.models import Course, Enrolment, Session
from llct.courses.services import courses as course_services
from llct.courses.services import enrolment as enrolment_services
from llct.courses.services import sessions as session_services
from llct.courses.services.conflicts import ConflictError, course_conflicts
from llct.organizations.forms import PersonFilterForm
from llct.organizations.selectors import organization_choices

COURSES_PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 50


def _status(form: Any, *refusals: object) -> int:
    return 422 if any(refusals) else form_status(form)


# --- Courses ----------------------------------------------------------------------------------


def course_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = CourseFilterForm(request.GET or None, years=selectors.course_years(user=user))
    courses = selectors.with_learner_counts(selectors.course_list(user=user, **form.filters()))
    context = {
        "form": form,
        "page": Paginator(courses, COURSES_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": _query_without_page(request),
        "can_create": selectors.can_create_course(user),
    }
    return render_page(request, "courses/course_list.html", context, fragment="results")


def _course_form_page(request: AuthenticatedHttpRequest, course: Course | None) -> HttpResponse:
    user = request.user
    initial = {"organizer": user.organization_id} if course is None else {}
    form = CourseForm(
        request.POST or None,
        instance=course,
        organizations=organization_choices(user=user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = course_services.course_save(course=course, data=form.course_data(), actor=user)
        except ValidationError as error:
            _apply_errors(form, error)
            if course is not None:
                course.refresh_from_db()  # the page title shows the saved values
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("courses:detail", pk=saved.pk)
    context = {"form": form, "course": course}
    return render_page(request, "courses/course_form.html", context, status=_status(form))


def course_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(selectors.can_create_course(request.user))
    return _course_form_page(request, None)


def course_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    return _course_form_page(request, course)


def course_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    course = selectors.course_get(user=user, pk=pk)
    sessions = list(selectors.course_sessions(course=course))
    conflicts = course_conflicts(course=course, sessions=sessions)
    learners = selectors.course_learners(user=user, course=course, today=timezone.localdate())
    context = {
        "course": course,
        "sessions": [(s, conflicts.get(s.pk, [])) for s in sessions],
        "conflicted": len(conflicts),
        "learners": learners,
        "enrolled": sum(1 for r in learners if r.enrolment.status == Enrolment.Status.ENROLLED),
        "can_manage": selectors.can_manage_course(user, course),
        "can_enrol": selectors.can_enrol(user, course),
        "can_withdraw": selectors.can_withdraw(user, course),
        "show_roll_call": attendance.is_staff(user),
        "roll_call_ids": {s.pk for s in sessions if attendance.may_take_attendance(user, s)},
        "can_enter_results": may_enter_results(user, course),
        "threshold": course.programme.attendance_threshold,
    }
    return render_page(request, "courses/course_detail.html", context)


@require_POST
def course_generate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    try:
        created = session_services.course_generate_sessions(
            course=course, actor=request.user, replace=request.POST.get("replace") == "1"
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, session_services.generated_summary(course, created))
    return redirect(reverse("courses:detail", args=[course.pk]) + "#sessions")


# --- Sessions ---------------------------------------------------------------------------------


def _session_form_page(
    request: AuthenticatedHttpRequest, course: Course, session: Session
) -> HttpResponse:
    form = SessionForm(request.POST or None, instance=session, course=course)
    refused: ConflictError | None = None
    if request.method == "POST" and form.is_valid():
        is_new = session.pk is None
        try:
            saved, accepted = session_services.session_save(
                session=form.apply(session),
                actor=request.user,
                confirm_warnings=request.POST.get("confirm_warnings") == "1",
            )
        except ValidationError as error:
            refused = ConflictError.of(error)
            _apply_errors(form, error, skip=[c.message for c in refused.conflicts])
        else:
            _session_saved_message(request, form, accepted=len(accepted), is_new=is_new)
            return redirect(reverse("courses:detail", args=[course.pk]) + f"#session-{saved.pk}")
    return _session_page(request, form, course, session, refused)


def _session_page(
    request: AuthenticatedHttpRequest,
    form: SessionForm,
    course: Course,
    session: Session,
    refused: ConflictError | None,
) -> HttpResponse:
    """The form; after a refusal, with the conflicts and, for warnings, the offer to confirm."""
    conflicts = refused.conflicts if refused else []
    context: dict[str, Any] = {
        "form": form,
        "course": course,
        "session": session if session.pk else None,
        "conflicts": conflicts,
        "offer_confirm": bool(refused and refused.needs_confirmation),
    }
    status = _status(form, conflicts)
    return render_page(request, "courses/session_form.html", context, status=status)


def _session_saved_message(
    request: AuthenticatedHttpRequest, form: SessionForm, *, accepted: int, is_new: bool
) -> None:
    if accepted:
        messages.warning(request, _("Saved despite %(n)s warning(s).") % {"n": accepted})
    else:
        messages.success(request, _("Added.") if is_new else _("Saved."))
        announce_merge(request, form)


def _session_get(request: AuthenticatedHttpRequest, pk: int) -> tuple[Course, Session]:
    session = get_object_or_404(Session.objects.select_related("topic"), pk=pk)
    course = selectors.course_get(user=request.user, pk=session.course_id)
    session.course = course
    return course, session


def session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    return _session_form_page(request, course, Session(course=course, part=Session.Part.MORNING))


def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course, session = _session_get(request, pk)
    require(selectors.can_manage_course(request.user, course))
    return _session_form_page(request, course, session)


def session_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course, session = _session_get(request, pk)
    require(selectors.can_manage_course(request.user, course))
    error = ""
    if request.method == "POST":
        try:
            session_services.session_delete(session=session, actor=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The session has been deleted."))
            return redirect(reverse("courses:detail", args=[course.pk]) + "#sessions")
    context = {
        "course": course,
        "session": session,
        "error": error,
        "marks": session.attendances.count(),
    }
    return render_page(
        request, "courses/session_delete.html", context, status=422 if error else 200
    )


# --- Enrolment --------------------------------------------------------------------------------


def enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    course = selectors.course_get(user=user, pk=pk)
    require(selectors.can_enrol(user, course))
    form = EnrolForm(
        request.POST or None,
        people=selectors.enrollable_people(user=user),
        organizations=organization_choices(user=user),
    )
    refused: ConflictError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            result = enrolment_services.enrolment_create_many(
                course=course,
                people=form.chosen(user=user, course=course),
                actor=user,
                **form.terms(),
            )
        except ValidationError as error:
            refused = ConflictError.of(error)
            _apply_errors(form, error, skip=[c.message for c in refused.conflicts])
        else:
            return _enrolled(request, course, form, result)
    return _enrol_page(request, course, form, refused)


def _enrolled(
    request: AuthenticatedHttpRequest,
    course: Course,
    form: EnrolForm,
    result: enrolment_services.EnrolmentResult,
) -> HttpResponse:
    if result.count:
        messages.success(request, _("Enrolled %(n)s learner(s).") % {"n": result.count})
    if result.already:
        messages.info(request, _("%(n)s were already enrolled.") % {"n": len(result.already)})
    if not result.count and not result.already:
        messages.info(request, _("Nobody to enrol in this organization."))
    if form.selection == "organization" or request.POST.get("back") == "course":
        return redirect(reverse("courses:detail", args=[course.pk]) + "#learners")
    # One by one or a page at a time: stay on the list to go on.
    return redirect(request.get_full_path())


def _enrollable_people(
    request: AuthenticatedHttpRequest, course: Course, form: EnrolForm
) -> dict[str, Any]:
    """The filtered page of people the user may enrol, each with their status in the course
    and whether it was ticked."""
    filter_form = PersonFilterForm(request.GET or None, organizations=form.organizations)
    filters = people_filter(filter_form, request.GET)
    people = selectors.enrollable_people(user=request.user, filters=filters)
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = selectors.enrolment_statuses(course=course, people=list(page.object_list))
    picked = set(request.POST.getlist("people"))
    return {
        "filter_form": filter_form,
        "page": page,
        "rows": [(p, statuses.get(p.pk), str(p.pk) in picked) for p in page.object_list],
        "query": _query_without_page(request),
    }


def _enrol_page(
    request: AuthenticatedHttpRequest,
    course: Course,
    form: EnrolForm,
    refused: ConflictError | None,
) -> HttpResponse:
    context = {
        "course": course,
        "form": form,
        **_enrollable_people(request, course, form),
        "error": refused if refused and (refused.conflicts or refused.eligibility) else None,
        "hidden": form.carried(),  # what was chosen travels on in the confirmation form
        "posted": request.method == "POST",
        "enrolled": course.enrolments.filter(status=Enrolment.Status.ENROLLED).count(),
    }
    status = _status(form, refused)
    return render_page(
        request, "courses/enrol_people.html", context, fragment="results", status=status
    )


def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enrolment = selectors.enrolment_get(user=user, pk=pk)
    course = enrolment.course
    require(selectors.can_withdraw(user, course))
    form = WithdrawForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_services.enrolment_withdraw(
                enrolment=enrolment, actor=user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            name = enrolment.person.full_name
            messages.success(
                request, _("%(name)s has been withdrawn from the course.") % {"name": name}
            )
            return redirect(reverse("courses:detail", args=[course.pk]) + "#learners")
    context = {"form": form, "course": course, "enrolment": enrolment}
    return render_page(request, "courses/enrol_withdraw.html", context, status=_status(form))


urlpatterns: list[URLPattern] = [
    path("", course_list, name="list"),
    path("them/", course_create, name="create"),
    path("<int:pk>/", course_detail, name="detail"),
    path("<int:pk>/sua/", course_edit, name="edit"),
    path("<int:pk>/tao-buoi-hoc/", course_generate, name="generate_sessions"),
    path("<int:pk>/buoi-hoc/them/", session_create, name="session_create"),
    path("buoi-hoc/<int:pk>/sua/", session_edit, name="session_edit"),
    path("buoi-hoc/<int:pk>/xoa/", session_delete, name="session_delete"),
    path("<int:pk>/hoc-vien/them/", enrol, name="enrol"),
    path("hoc-vien/<int:pk>/rut/", withdraw, name="withdraw"),
]
