"""The yearly lecturer evaluation: learner ratings, observations and the hours ledger combined."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F
from django.utils.translation import gettext_lazy as _

from llct.assessment.models import LecturerRating
from llct.corps.ledger import LedgerRow, year_bounds
from llct.corps.models import Observation
from llct.curriculum.models import Lecturer

ONE_PLACE = Decimal("0.1")

# The grade a year earns (our default): learner ratings on 1-5, observations on 1-10, and the
# minimum of giờ chuẩn met. Each step needs every one of its conditions.
GRADES = [
    (_("Excellent"), Decimal("4.5"), Decimal("8.5")),
    (_("Good"), Decimal("4.0"), Decimal("7.0")),
    (_("Satisfactory"), Decimal("3.0"), Decimal("5.0")),
]


@dataclass
class Evaluation:
    ledger: LedgerRow
    rating: Decimal | None
    ratings: int
    observation: Decimal | None
    observations: int

    @property
    def lecturer(self) -> Lecturer:
        return self.ledger.lecturer

    @property
    def grade(self) -> str:
        if self.ledger.short:
            return str(_("Not completed (hours short)"))
        for label, rating, observation in GRADES:
            if (self.rating is None or self.rating >= rating) and (
                self.observation is None or self.observation >= observation
            ):
                return str(label)
        return str(_("Not completed"))


def evaluations(*, ledger: Iterable[LedgerRow], year: int) -> list[Evaluation]:
    """Two queries for any number of lecturers."""
    rows = list(ledger)
    ids = [row.lecturer.pk for row in rows]
    first, last = year_bounds(year)
    ratings = {
        r["lecturer_id"]: r
        for r in LecturerRating.objects.filter(
            lecturer_id__in=ids, session__date__range=(first, last)
        )
        .values("lecturer_id")
        .annotate(n=Count("pk"), avg=Avg((F("content") + F("method") + F("practice")) / 3.0))
    }
    observed: dict[int, list[Decimal]] = defaultdict(list)
    for observation in Observation.objects.filter(
        lecturer_id__in=ids, session__date__range=(first, last)
    ).only("lecturer_id", "content", "method", "time", "response"):
        observed[observation.lecturer_id].append(observation.average)
    result = []
    for row in rows:
        rating = ratings.get(row.lecturer.pk)
        scores = observed.get(row.lecturer.pk, [])
        result.append(
            Evaluation(
                ledger=row,
                rating=Decimal(str(rating["avg"])).quantize(ONE_PLACE) if rating else None,
                ratings=rating["n"] if rating else 0,
                observation=(sum(scores, Decimal(0)) / len(scores)).quantize(ONE_PLACE)
                if scores
                else None,
                observations=len(scores),
            )
        )
    return result
