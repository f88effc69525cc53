"""Briefings (giao ban), monthly or quarterly: attendees, an agenda that starts from the
period's figures and the open recommendations, minutes, and action items with owners and
deadlines."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.organizations.models import Organization
from llct.reviews import figures
from llct.reviews.access import acts_for
from llct.reviews.models import ActionItem, Briefing, Recommendation


def period_for(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month or the quarter before the one `day` falls in: what a briefing looks back on."""
    if kind == Briefing.Kind.MONTHLY:
        end = day.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    quarter_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = quarter_start - dt.timedelta(days=1)
    return dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def agenda_text(*, organization: Organization, start: dt.date, end: dt.date) -> str:
    """The agenda a new briefing starts from: the period's figures, then the open
    recommendations of the subtree, then the usual items."""
    lines = [
        f"1. Đánh giá kết quả công tác giáo dục lý luận chính trị từ {start:%d/%m/%Y} "
        f"đến {end:%d/%m/%Y}:",
    ]
    lines += [
        f"   - {line}"
        for line in figures.agenda_figures(organization=organization, start=start, end=end)
    ]
    open_recs = (
        Recommendation.objects.filter(organization__path__startswith=organization.path)
        .exclude(status=Recommendation.Status.ACCEPTED)
        .select_related("organization")
        .order_by("deadline", "id")
    )
    lines.append("2. Kiến nghị sau kiểm tra, giám sát chưa hoàn thành:")
    shown = list(open_recs[:20])
    if not shown:
        lines.append("   - Không có.")
    for rec in shown:
        lines.append(f"   - {rec.organization.name}: {rec.text} (hạn {rec.deadline:%d/%m/%Y})")
    lines += [
        "3. Nhiệm vụ trọng tâm kỳ tới.",
        "4. Ý kiến của các đồng chí dự họp; kết luận của chủ trì.",
    ]
    return "\n".join(lines)


def briefing_scope(*, user: User) -> QuerySet[Briefing]:
    path = scope_path(user)
    qs = Briefing.objects.select_related("organization")
    if path is None:
        return qs.none()
    if path == ALL:
        return qs
    # An officer sees the briefings of their subtree and of the committees above them.
    ancestors = [p for p in _ancestor_paths(path)]
    return qs.filter(Q(organization__path__startswith=path) | Q(organization__path__in=ancestors))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def briefing_list(*, user: User) -> QuerySet[Briefing]:
    return briefing_scope(user=user).annotate(
        action_count=Count("actions"),
        open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
    )


def briefing_get(*, user: User, pk: int) -> Briefing:
    try:
        return (
            briefing_scope(user=user)
            .prefetch_related(
                "attendees",
                Prefetch(
                    "actions", ActionItem.objects.select_related("owner").order_by("deadline", "id")
                ),
            )
            .get(pk=pk)
        )
    except Briefing.DoesNotExist:
        raise Http404 from None


@transaction.atomic
def briefing_save(
    *,
    briefing: Briefing | None,
    kind: str,
    organization: Organization,
    period_start: dt.date,
    period_end: dt.date,
    held_on: dt.date,
    place: str,
    chair: str,
    attendees: Sequence[Any],
    other_attendees: str,
    agenda: str,
    minutes: str,
    actor: User,
) -> Briefing:
    if not acts_for(actor, organization):
        raise ValidationError(
            {"organization": [_("You may not hold briefings for that organization.")]}
        )
    if period_end < period_start:
        raise ValidationError({"period_end": [_("The period ends before it starts.")]})
    new = briefing is None
    briefing = briefing or Briefing(created_by=actor)
    briefing.kind = kind
    briefing.organization = organization
    briefing.period_start = period_start
    briefing.period_end = period_end
    briefing.held_on = held_on
    briefing.place = clean_text(place)
    briefing.chair = clean_text(chair)
    briefing.other_attendees = other_attendees.strip()
    briefing.agenda = agenda.strip() or agenda_text(
        organization=organization, start=period_start, end=period_end
    )
    briefing.minutes = minutes.strip()
    briefing.full_clean()
    briefing.save()
    briefing.attendees.set(attendees)
    audit_record(
        actor=actor, obj=briefing, action="created" if new else "saved", summary=str(briefing)
    )
    return briefing


@transaction.atomic
def action_add(
    *,
    briefing: Briefing,
    text: str,
    owner: Organization,
    owner_name: str,
    deadline: dt.date,
    actor: User,
) -> ActionItem:
    if deadline < briefing.held_on:
        raise ValidationError({"deadline": [_("The deadline is before the briefing.")]})
    item = ActionItem(
        briefing=briefing,
        text=clean_text(text),
        owner=owner,
        owner_name=clean_text(owner_name),
        deadline=deadline,
    )
    item.full_clean()
    item.save()
    audit_record(actor=actor, obj=briefing, action="action", summary=item.text[:200])
    return item


@transaction.atomic
def action_done(*, item: ActionItem, done_on: dt.date | None, actor: User) -> ActionItem:
    item.done_on = done_on
    item.save(update_fields=["done_on"])
    audit_record(
        actor=actor,
        obj=item.briefing,
        action="action_done" if done_on else "action_reopened",
        summary=item.text[:200],
    )
    return item
