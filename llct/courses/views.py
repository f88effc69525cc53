"""Course pages: the list, the course page, course and session forms, generating sessions,
enrolment and withdrawal. Views parse, call a selector or a service, and render or redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.assessment.selectors import may_enter_results
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import query_without_page as _query_without_page
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.versions import announce_merge
from llct.courses import attendance, selectors, services
from llct.courses.forms import CourseFilterForm, CourseForm, EnrolForm, SessionForm, WithdrawForm
from llct.courses.models import Course, Enrolment, Session
from llct.organizations.forms import PersonFilterForm
from llct.organizations.models import MembershipStage, Organization, Person
from llct.organizations.selectors import PersonFilter, organization_choices, person_list

COURSES_PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 50


# --- Courses ----------------------------------------------------------------------------------


def course_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CourseFilterForm(request.GET or None, years=selectors.course_years(user=user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "year": data["year"],
            "programme_id": data["programme"].pk if data["programme"] else None,
            "status": data["status"],
            "q": data["q"],
        }
    courses = selectors.with_learner_counts(selectors.course_list(user=user, **filters))
    page = Paginator(courses, COURSES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "courses/course_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_create": selectors.can_create_course(user),
        },
        fragment="results",
    )


def _course_form_page(request: HttpRequest, course: Course | None) -> HttpResponse:
    user: Any = request.user
    organizations = organization_choices(user=user)
    initial = {}
    if course is None and user.organization_id:
        initial["organizer"] = user.organization_id
    form = CourseForm(
        request.POST or None, instance=course, organizations=organizations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if course is None:
                saved = services.course_create(data=form.course_data(), actor=user)
            else:
                saved = services.course_update(course=course, data=form.course_data(), actor=user)
        except ValidationError as error:
            _apply_errors(form, error)
            if course is not None:
                # The service set the typed values on it; the page title shows the saved ones.
                course.refresh_from_db()
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("courses:detail", pk=saved.pk)
    return render_page(
        request,
        "courses/course_form.html",
        {"form": form, "course": course},
        status=422 if form.is_bound and form.errors else 200,
    )


def course_create(request: HttpRequest) -> HttpResponse:
    require(selectors.can_create_course(request.user))
    return _course_form_page(request, None)


def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    return _course_form_page(request, course)


def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    course = selectors.course_get(user=user, pk=pk)
    today = timezone.localdate()
    sessions = list(selectors.course_sessions(course=course))
    conflicts = services.course_conflicts(course=course, sessions=sessions)
    rates = selectors.attendance_rates(course=course, today=today)
    enrolments = list(selectors.enrolment_list(user=user, course=course))
    learners: list[dict[str, Any]] = []
    withdraw_url = reverse("courses:withdraw", args=[0]).replace("/0/", "/%s/")
    for enrolment in enrolments:
        present, held = rates.get(enrolment.pk, (0, 0))
        learners.append(
            {
                "enrolment": enrolment,
                "present": present,
                "held": held,
                "rate": round(100 * present / held) if held else None,
                "withdraw_url": withdraw_url % enrolment.pk,
            }
        )
    enrolled = sum(1 for e in enrolments if e.status == Enrolment.Status.ENROLLED)
    context = {
        "course": course,
        "sessions": [(s, conflicts.get(s.pk, [])) for s in sessions],
        "conflicted": len(conflicts),
        "learners": learners,
        "enrolled": enrolled,
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
def course_generate(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    try:
        created = services.course_generate_sessions(
            course=course, actor=request.user, replace=request.POST.get("replace") == "1"
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        conflicted = len(services.course_conflicts(course=course))
        text = _("Generated %(n)s sessions, %(first)s to %(last)s.") % {
            "n": len(created),
            "first": created[0].date.strftime("%d/%m/%Y"),
            "last": created[-1].date.strftime("%d/%m/%Y"),
        }
        if conflicted:
            text += " " + _("%(n)s of them have conflicts: see the table.") % {"n": conflicted}
        messages.success(request, text)
    return redirect(reverse("courses:detail", args=[course.pk]) + "#sessions")


# --- Sessions ---------------------------------------------------------------------------------


def _session_form_page(request: HttpRequest, course: Course, session: Session) -> HttpResponse:
    form = SessionForm(request.POST or None, instance=session, course=course)
    conflicts: list[services.Conflict] = []
    offer_confirm = False
    if request.method == "POST" and form.is_valid():
        is_new = session.pk is None
        try:
            saved, accepted = services.session_save(
                session=form.apply(session),
                actor=request.user,
                confirm_warnings=request.POST.get("confirm_warnings") == "1",
            )
        except ValidationError as error:
            conflicts = getattr(error, "conflicts", [])
            offer_confirm = bool(getattr(error, "needs_confirmation", False))
            _apply_errors(form, error, skip=[c.message for c in conflicts])
        else:
            if accepted:
                messages.warning(
                    request, _("Saved despite %(n)s warning(s).") % {"n": len(accepted)}
                )
            else:
                messages.success(request, _("Added.") if is_new else _("Saved."))
                announce_merge(request, form)
            return redirect(reverse("courses:detail", args=[course.pk]) + f"#session-{saved.pk}")
    return render_page(
        request,
        "courses/session_form.html",
        {
            "form": form,
            "course": course,
            "session": session if session.pk else None,
            "conflicts": conflicts,
            "offer_confirm": offer_confirm,
        },
        status=422 if conflicts or (form.is_bound and form.errors) else 200,
    )


def _session_get(request: HttpRequest, pk: int) -> tuple[Course, Session]:
    session = get_object_or_404(Session.objects.select_related("topic"), pk=pk)
    course = selectors.course_get(user=request.user, pk=session.course_id)
    session.course = course
    return course, session


def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    require(selectors.can_manage_course(request.user, course))
    return _session_form_page(request, course, Session(course=course, part=Session.Part.MORNING))


def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course, session = _session_get(request, pk)
    require(selectors.can_manage_course(request.user, course))
    return _session_form_page(request, course, session)


def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    course, session = _session_get(request, pk)
    require(selectors.can_manage_course(request.user, course))
    error = ""
    if request.method == "POST":
        try:
            services.session_delete(session=session, actor=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The session has been deleted."))
            return redirect(reverse("courses:detail", args=[course.pk]) + "#sessions")
    return render_page(
        request,
        "courses/session_delete.html",
        {
            "course": course,
            "session": session,
            "error": error,
            "marks": session.attendances.count(),
        },
        status=422 if error else 200,
    )


# --- Enrolment --------------------------------------------------------------------------------


def _people_filter(request: HttpRequest, organizations: QuerySet[Organization]) -> Any:
    form = PersonFilterForm(request.GET or None, organizations=organizations)
    filters = PersonFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = PersonFilter(
            q=data["q"],
            organization=data["organization"],
            subtree=data["subtree"] if "subtree" in request.GET or "q" in request.GET else True,
            stage=data["stage"],
            theory_level=data["theory_level"],
        )
    return form, filters


def _selected_people(user: Any, form: EnrolForm) -> list[Person]:
    data = form.cleaned_data
    if form.selection == "person":
        return [data["person"]]
    if form.selection == "organization":
        # Everyone on the rolls of that subtree, except those who have left the Party.
        filters = PersonFilter(organization=data["organization"], subtree=True)
        return list(person_list(user=user, filters=filters).exclude(stage=MembershipStage.LEFT))
    return list(data["people"])


def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    course = selectors.course_get(user=user, pk=pk)
    require(selectors.can_enrol(user, course))
    organizations = organization_choices(user=user)
    filter_form, filters = _people_filter(request, organizations)
    enrol_form = EnrolForm(
        request.POST or None, people=person_list(user=user), organizations=organizations
    )
    error: services.ConflictError | None = None
    if request.method == "POST" and enrol_form.is_valid():
        people = _selected_people(user, enrol_form)
        data = enrol_form.cleaned_data
        try:
            result = services.enrolment_create_many(
                course=course,
                people=people,
                actor=user,
                override_reason=data["override_reason"],
                confirm_warnings=data["confirm_warnings"],
            )
        except services.ConflictError as refused:
            error = refused
            _apply_errors(enrol_form, refused, skip=[c.message for c in refused.conflicts])
        except ValidationError as refused:
            _apply_errors(enrol_form, refused)
        else:
            if result.count:
                messages.success(request, _("Enrolled %(n)s learner(s).") % {"n": result.count})
            if result.already:
                messages.info(
                    request,
                    _("%(n)s were already enrolled.") % {"n": len(result.already)},
                )
            if not people:
                messages.info(request, _("Nobody to enrol in this organization."))
            if enrol_form.selection == "organization" or request.POST.get("back") == "course":
                return redirect(reverse("courses:detail", args=[course.pk]) + "#learners")
            # One by one or a page at a time: stay on the list to go on.
            return redirect(request.get_full_path())
    people_page = Paginator(person_list(user=user, filters=filters), PEOPLE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(people_page.object_list)
    statuses = dict(
        Enrolment.objects.filter(course=course, person__in=rows).values_list("person_id", "status")
    )
    selected_ids: set[str] = set(request.POST.getlist("people")) if request.POST else set()
    # What was chosen travels on in the confirmation form, so nothing has to be picked again.
    hidden = []
    if request.method == "POST":
        names = ["person", "people", "organization"]
        if enrol_form.is_valid():
            names = [enrol_form.selection]
        hidden = [(n, v) for n in names for v in request.POST.getlist(n) if v]
    return render_page(
        request,
        "courses/enrol_people.html",
        {
            "course": course,
            "filter_form": filter_form,
            "form": enrol_form,
            "page": people_page,
            "rows": [(p, statuses.get(p.pk), str(p.pk) in selected_ids) for p in rows],
            "query": _query_without_page(request),
            "error": error,
            "hidden": hidden,
            "posted": request.method == "POST",
            "enrolled": course.enrolments.filter(status=Enrolment.Status.ENROLLED).count(),
        },
        fragment="results",
        status=422 if error is not None or (enrol_form.is_bound and enrol_form.errors) else 200,
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    enrolment = get_object_or_404(Enrolment, pk=pk)
    course = selectors.course_get(user=user, pk=enrolment.course_id)
    # Only a learner this user may see: enrolment_list applies the scope.
    try:
        enrolment = selectors.enrolment_list(user=user, course=course).get(pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None
    require(selectors.can_withdraw(user, course))
    form = WithdrawForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                actor=user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been withdrawn from the course.")
                % {"name": enrolment.person.full_name},
            )
            return redirect(reverse("courses:detail", args=[course.pk]) + "#learners")
    return render_page(
        request,
        "courses/enrol_withdraw.html",
        {"form": form, "course": course, "enrolment": enrolment},
        status=422 if form.is_bound and form.errors else 200,
    )


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
