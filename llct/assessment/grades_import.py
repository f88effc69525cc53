"""Scores by spreadsheet: the .xlsx template of a course's grade sheet and its import.

The import reads every row first and writes only if every row is right, in one transaction
(services.scores_save, as the grade sheet saves: only what the sheet changed, checked against
the scores stored when the template was downloaded), like the roster and attendance imports:
nothing partial, nothing silent.
A blank score cell leaves the score as it is, so importing the same sheet twice changes nothing
and a sheet with only the essays filled in does not wipe the tests.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from llct.assessment.grading import needed_scores
from llct.assessment.models import Result
from llct.assessment.selectors import score_label, sheet_enrolments
from llct.assessment.services import parse_score, scores_save
from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.core.spreadsheets import cell_int, read_first_sheet, write_xlsx
from llct.core.text import clean_text, fold
from llct.courses.marks import learner_row_errors
from llct.courses.models import Course, Enrolment

# Headers are matched without case or diacritics, in both UI languages: a template downloaded
# in English imports in Vietnamese too.
ID_HEADERS = ("ma hoc vien", "learner id")
NAME_HEADERS = ("ho va ten", "full name")
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 5000
LANGUAGES = ("vi", "en")


def saved_header(course: Course, field_name: str) -> str:
    """The column of a score as stored when the template was downloaded: the import writes only
    what the sheet changed, and refuses a score someone else changed meanwhile."""
    return _("%(score)s (saved when downloaded, do not edit)") % {
        "score": score_label(course.programme, field_name)
    }


def template_headers(course: Course) -> list[str]:
    fields = needed_scores(course.programme)
    return [
        _("No."),
        _("Full name"),
        _("Unit"),
        _("Learner ID"),
        *[score_label(course.programme, f) for f in fields],
        *[saved_header(course, f) for f in fields],
    ]


def _cell(value: Decimal | None) -> float | str:
    # A number in the sheet (Excel shows it with the reader's decimal separator).
    return float(value) if value is not None else ""


def grades_template_xlsx(*, course: Course, enrolments: Iterable[Enrolment]) -> bytes:
    """One row per learner with the scores entered so far: fill in the blanks and import."""
    fields = needed_scores(course.programme)
    rows = []
    for n, enrolment in enumerate(enrolments, start=1):
        try:
            result: Result | None = enrolment.result
        except Result.DoesNotExist:
            result = None
        rows.append(
            [
                n,
                enrolment.person.full_name,
                enrolment.person.organization.name,
                enrolment.pk,
                *[_cell(getattr(result, f) if result else None) for f in fields],
                *[_cell(getattr(result, f) if result else None) for f in fields],
            ]
        )
    return write_xlsx(template_headers(course), rows, title=course.code)


class GradesFileError(Exception):
    """The file cannot be read at all; the message is user-facing."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    name: str
    reason: str


@dataclass
class GradesImport:
    scores: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)
    # The scores stored when the template was downloaded, when the sheet has those columns.
    originals: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)
    rows: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (row, name)
    rejected: list[RejectedRow] = field(default_factory=list)
    changed: int = 0  # scores that differ from what was stored


@dataclass(frozen=True)
class Layout:
    header: int
    id_col: int
    name_col: int | None
    score_cols: dict[str, int]
    saved_cols: dict[str, int]


def _score_headers(course: Course) -> dict[str, str]:
    """Folded header text → score field, in every UI language."""
    headers = {}
    for language in LANGUAGES:
        with translation.override(language):
            for name in needed_scores(course.programme):
                headers[fold(score_label(course.programme, name))] = name
    return headers


def _saved_headers(course: Course) -> dict[str, str]:
    headers = {}
    for language in LANGUAGES:
        with translation.override(language):
            for name in needed_scores(course.programme):
                headers[fold(saved_header(course, name))] = name
    return headers


def _layout(rows: list[tuple[Any, ...]], course: Course) -> Layout:
    wanted = _score_headers(course)
    saved = _saved_headers(course)
    fields = set(needed_scores(course.programme))
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [fold(v) for v in row]
        id_col = next((i for i, v in enumerate(folded) if v.startswith(ID_HEADERS)), None)
        if id_col is None:
            continue
        name_col = next((i for i, v in enumerate(folded) if v.startswith(NAME_HEADERS)), None)
        score_cols = {wanted[v]: i for i, v in enumerate(folded) if v in wanted}
        if set(score_cols) != fields:
            missing = [score_label(course.programme, f) for f in fields - set(score_cols)]
            raise GradesFileError(
                _("The file has no column %(columns)s. Start from the template.")
                % {"columns": ", ".join(f"“{m}”" for m in missing)}
            )
        saved_cols = {saved[v]: i for i, v in enumerate(folded) if v in saved}
        return Layout(index, id_col, name_col, score_cols, saved_cols)
    raise GradesFileError(_("The file has no “Mã học viên” column. Start from the template."))


def _read_rows(file: IO[bytes]) -> list[tuple[Any, ...]]:
    return read_first_sheet(file, max_rows=MAX_ROWS + HEADER_SEARCH_ROWS, error=GradesFileError)


def _enrolment_id(value: Any) -> int | None:
    return cell_int(value)


def _known(*, user: User, course: Course, ids: set[int]) -> dict[int, Enrolment]:
    """Among `ids`, this course's learners the user may see, and other courses' learners of
    the user's scope (so the reason can say "not in this course"). Anything else is unknown,
    so an import cannot probe other organizations."""
    fields = ("pk", "course_id", "status", "person_id")
    found = {
        e.pk: e
        for e in sheet_enrolments(user=user, course=course)
        .select_related(None)
        .order_by()
        .filter(pk__in=ids)
        .only(*fields)
    }
    withdrawn = Enrolment.objects.filter(
        pk__in=ids, course=course, status=Enrolment.Status.WITHDRAWN
    )
    others = Enrolment.objects.filter(pk__in=ids).exclude(course=course)
    path = scope_path(user)
    if path is None:
        return found
    if path != ALL:
        withdrawn = withdrawn.filter(person__organization__path__startswith=path)
        others = others.filter(person__organization__path__startswith=path)
    found.update({e.pk: e for e in withdrawn.only(*fields)})
    found.update({e.pk: e for e in others.only(*fields)})
    return found


def grades_read(*, file: IO[bytes], course: Course, user: User) -> GradesImport:
    """Check every row; nothing is written. Raises GradesFileError for an unreadable file."""
    rows = _read_rows(file)
    layout = _layout(rows, course)
    body = rows[layout.header + 1 :]
    width = max([layout.id_col, *layout.score_cols.values(), *layout.saved_cols.values()]) + 1
    ids = {_enrolment_id(r[layout.id_col]) for r in body if len(r) > layout.id_col}
    found = _known(user=user, course=course, ids={i for i in ids if i is not None})
    result = GradesImport()
    seen: dict[int, int] = {}
    for number, row in enumerate(body, start=layout.header + 2):
        cells = [*row, *([None] * max(0, width - len(row)))]
        if all(clean_text(v) == "" for v in cells):
            continue
        name = clean_text(cells[layout.name_col]) if layout.name_col is not None else ""
        enrolment_id = _enrolment_id(cells[layout.id_col])
        reasons = learner_row_errors(cells[layout.id_col], enrolment_id, found, seen, course.pk)
        scores = _scores(cells, layout, course, reasons)
        originals = _originals(cells, layout, reasons)
        if reasons:
            result.rejected.append(RejectedRow(number, name, " ".join(reasons)))
            continue
        assert enrolment_id is not None
        seen[enrolment_id] = number
        result.rows[enrolment_id] = (number, name)
        if scores:
            result.scores[enrolment_id] = scores
            result.originals[enrolment_id] = originals
    return result


def _scores(
    cells: list[Any], layout: Layout, course: Course, reasons: list[str]
) -> dict[str, Decimal | None]:
    """The row's scores (empty cells left out); what cannot be read goes to `reasons`."""
    scores: dict[str, Decimal | None] = {}
    for name_field, col in layout.score_cols.items():
        try:
            value = parse_score(cells[col])
        except ValidationError as error:
            label = score_label(course.programme, name_field)
            reasons.append(f"{label}: {' '.join(error.messages)}")
            continue
        if value is not None:
            scores[name_field] = value
    return scores


def _originals(cells: list[Any], layout: Layout, reasons: list[str]) -> dict[str, Decimal | None]:
    originals: dict[str, Decimal | None] = {}
    for name_field, col in layout.saved_cols.items():
        try:
            originals[name_field] = parse_score(cells[col])
        except ValidationError:
            reasons.append(_("The “saved” column was edited: download the template again."))
    return originals


def grades_import(*, file: IO[bytes], course: Course, actor: User, today: Any) -> GradesImport:
    """Check every row, then write all scores in one transaction, or nothing when a row is
    rejected. Raises GradesFileError when the file cannot be read, ValidationError when the
    results are already approved."""
    result = grades_read(file=file, course=course, user=actor)
    if result.rejected or not result.scores:
        return result
    with transaction.atomic():
        saved = scores_save(
            course=course,
            changes=result.scores,
            originals=result.originals,
            actor=actor,
            today=today,
        )
        if saved.clashes:
            # All or nothing, as for a wrong row: the scores written with them are undone.
            transaction.set_rollback(True)
            result.rejected = [
                RejectedRow(
                    *result.rows[enrolment_id],
                    clash.message(result.scores[enrolment_id][name_field]),
                )
                for (enrolment_id, name_field), clash in sorted(saved.clashes.items())
            ]
            return result
    result.changed = saved.written
    return result
