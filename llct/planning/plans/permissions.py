"""Who may do what with annual plans.

Department officers build and submit plans and record expenses; leaders read plans and approve
or return them (they never edit one); nobody else sees plans. A plan is edited only while it is
a draft or has been returned."""

from typing import Any

from llct.core.models import Role
from llct.core.permissions import is_department
from llct.planning.models import (
    AnnualPlan,
)

Status = AnnualPlan.Status


EDITABLE = (Status.DRAFT, Status.RETURNED)


def is_leader(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.LEADER)


def can_read_plans(user: Any) -> bool:
    return is_department(user) or is_leader(user)


def can_edit_plan(user: Any, plan: AnnualPlan) -> bool:
    """Department officers, while the plan is a draft or has been returned. Leaders approve and
    never edit, so what they approve is what the department wrote."""
    return is_department(user) and plan.status in EDITABLE


def can_submit(user: Any, plan: AnnualPlan) -> bool:
    return is_department(user) and plan.status in EDITABLE


def can_decide(user: Any, plan: AnnualPlan) -> bool:
    """Only a leader (the role, not a superuser) approves or returns, and only a submitted plan."""
    return is_leader(user) and plan.status == Status.SUBMITTED


def can_create_courses(user: Any, plan: AnnualPlan) -> bool:
    return is_department(user) and plan.status == Status.APPROVED
