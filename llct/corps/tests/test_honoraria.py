import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from llct.corps.ledger import honoraria
from llct.corps.tests.factories import make_lecturer, make_sessions
from llct.planning.models import BudgetNorms

pytestmark = pytest.mark.django_db


def _setup(world):
    part_time = make_lecturer("Lê Văn Giảng")
    guest = make_lecturer("Hoàng Thị Báo", kind="guest")
    make_sessions(part_time, world.org_a, [dt.date(2026, 3, 2), dt.date(2026, 3, 31)])
    make_sessions(part_time, world.org_a, [dt.date(2026, 4, 1)])
    make_sessions(guest, world.org_b, [dt.date(2026, 3, 10)])
    return part_time, guest


def test_honoraria_equal_sessions_times_the_budget_norm_of_the_kind(world):
    part_time, guest = _setup(world)
    norms = BudgetNorms.current()
    rows = {row.lecturer: row for row in honoraria(year=2026, month=3)}
    assert rows[part_time].amount == 2 * norms.fee_part_time
    assert rows[guest].amount == norms.fee_guest


def test_changing_the_norm_changes_the_honoraria(world):
    part_time, _guest = _setup(world)
    BudgetNorms.objects.update_or_create(pk=1, defaults={"fee_part_time": Decimal(600000)})
    rows = {row.lecturer: row for row in honoraria(year=2026, month=3)}
    assert rows[part_time].amount == Decimal(1200000)


def test_payment_sheet_xlsx_carries_the_amounts_and_total(client, world):
    _setup(world)
    client.force_login(world.department)
    response = client.get("/doi-ngu/thu-lao/xlsx/?month=2026-03")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Hoàng Thị Báo" and rows[1][6] == 800000
    assert rows[2][6] == 1000000
    assert rows[-1][6] == 1800000


def test_organization_officers_and_learners_cannot_open_the_sheet(client, world):
    for user in (world.officer_a, world.learner):
        client.force_login(user)
        assert client.get("/doi-ngu/thu-lao/").status_code == 403
        assert client.get("/doi-ngu/thu-lao/xlsx/").status_code == 403
