"""Fill an empty database with the demo province, its people, one account per role, and a year
of courses with their lecturers, venues, sessions, learners and attendance."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from llct.core.models import User
from llct.courses.models import Course
from llct.demo.seed import (
    ACCOUNTS,
    DEMO_PASSWORD,
    DemoSummary,
    demo_exists,
    demo_reset,
    demo_seed,
    non_demo_data,
)
from llct.organizations.models import MembershipStage, TheoryLevel


class Command(BaseCommand):
    help = (
        "Create a fictional province with its organizations, people and demo accounts. "
        "Does nothing when the database already holds organizations or people, unless --reset."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=2000, help="how many people (2000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "first delete the organizations, people, accounts (superusers are kept), "
                "courses, lecturers and venues. Refused when DEBUG is off or the database "
                "holds data the demo did not write, unless --force"
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="with --reset: reset even with DEBUG off or data the demo did not write",
        )
        parser.add_argument(
            "--no-courses",
            action="store_true",
            help="only the organizations, people and accounts: no lecturers, venues or courses",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 1:
            raise CommandError("--people must be at least 1")
        if options["reset"] and not options["force"]:
            self._refuse_unsafe_reset()
        started = time.perf_counter()
        # Reset and seed together: a failed seed leaves the old data in place.
        with _quiet_pdf_logs(), transaction.atomic():
            if options["reset"]:
                demo_reset()
            elif demo_exists():
                self.stdout.write(
                    "The database already holds organizations or people: nothing done. "
                    "Run `manage.py seed_demo --reset` to replace them with the demo data."
                )
                self._accounts()
                return
            summary = demo_seed(
                people=options["people"],
                seed=options["seed"],
                today=timezone.localdate(),
                courses=not options["no_courses"],
            )
        self._report(summary, time.perf_counter() - started)

    def _refuse_unsafe_reset(self) -> None:
        """A reset deletes every organization, person and account: on a production database
        (DEBUG off) or one where people typed their own data, it takes an explicit --force."""
        if not settings.DEBUG:
            raise CommandError(
                "DEBUG is off: this looks like a production database. "
                "`seed_demo --reset` deletes every organization, person and account; "
                "add --force if that is really what you want."
            )
        if found := non_demo_data():
            raise CommandError(
                "The database holds data the demo did not write: "
                + "; ".join(found)
                + ". `seed_demo --reset` would delete it; add --force if that is really "
                "what you want."
            )

    def _report(self, summary: DemoSummary, seconds: float) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo data created in {seconds:.1f} s: {summary.province}"))
        out(f"  organizations: {summary.organizations}")
        out(f"  people: {summary.people}")
        for stage in MembershipStage:
            out(f"    {stage.label}: {summary.stages.get(stage, 0)}")
        out("  theory levels:")
        for level in TheoryLevel:
            out(f"    {level.label}: {summary.theory_levels.get(level, 0)}")
        out("  tree events:")
        for event in summary.events:
            out(f"    {event}")
        classes = summary.courses
        if classes is not None:
            statuses = dict(Course.Status.choices)
            out(f"  lecturers: {classes.lecturers}, venues: {classes.venues}")
            out(f"  courses: {classes.courses}")
            for status, count in classes.by_status.items():
                out(f"    {statuses.get(status, status)}: {count}")
            out(f"  sessions: {classes.sessions}")
            out(f"  enrolments: {classes.enrolments}")
            out(f"  attendance marks: {classes.attendance}")
            if classes.today_course:
                out(f"  running today: {classes.today_course}")
                out(f"    roll call: {classes.today_roll_call}")
        for title, counts in (
            ("results", summary.evaluation),
            ("planning", summary.planning),
            ("portal and study", summary.studies),
            ("projects", summary.monitoring),
            ("oversight and reports", summary.reviews),
            ("connections", summary.connections),
        ):
            if counts:
                out(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        out("")
        self._print_accounts(
            [(a.username, a.role, a.organization or "—", a.password) for a in summary.accounts]
        )

    def _accounts(self) -> None:
        """The demo accounts that exist, for `make run` on an already seeded database."""
        from llct.core.models import User

        names = [a[0] for a in ACCOUNTS]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=names).select_related(
                "organization", "person__organization"
            )
        }
        self.stdout.write("")
        self._print_accounts(
            [
                (n, str(users[n].get_role_display()), _organization_of(users[n]), DEMO_PASSWORD)
                for n in names
                if n in users
            ]
        )

    def _print_accounts(self, accounts: list[tuple[str, str, str, str]]) -> None:
        out = self.stdout.write
        rows = [("username", "role", "organization", "password"), *accounts]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            out("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                out("  ".join("-" * w for w in widths))


# The demo renders PDFs (certificates, plans): WeasyPrint and fontTools log a line per step
# at INFO, which buries the summary under noise in `make run`. Their warnings still show.
_PDF_LOGGERS = ("weasyprint", "fontTools")


@contextmanager
def _quiet_pdf_logs() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in _PDF_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _organization_of(user: User) -> str:
    if user.organization is not None:
        return str(user.organization.name)
    if user.person is not None:
        return str(user.person.organization.name)
    return "—"
