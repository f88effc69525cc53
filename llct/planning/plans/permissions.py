"""Who may do what with annual plans (the role part comes from `core/capabilities.py`).

Department officers build and submit plans and record expenses; leaders read plans and approve
or return them (they never edit one); nobody else sees plans. A plan is edited only while it is
a draft or has been returned."""

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.planning.models import AnnualPlan

Status = AnnualPlan.Status


EDITABLE = (Status.DRAFT, Status.RETURNED)


def is_leader(user: User) -> bool:
    """The role that approves or returns a plan (a superuser is not one)."""
    return has_capability(user, Capability.DECIDE_PLANS)


def can_read_plans(user: User) -> bool:
    return has_capability(user, Capability.READ_PLANS)


def can_edit_plan(user: User, plan: AnnualPlan) -> bool:
    """Department officers, while the plan is a draft or has been returned. Leaders approve and
    never edit, so what they approve is what the department wrote."""
    return has_capability(user, Capability.EDIT_PLANS) and plan.status in EDITABLE


def can_submit(user: User, plan: AnnualPlan) -> bool:
    return has_capability(user, Capability.EDIT_PLANS) and plan.status in EDITABLE


def can_decide(user: User, plan: AnnualPlan) -> bool:
    """Only a leader (the role, not a superuser) approves or returns, and only a submitted plan."""
    return has_capability(user, Capability.DECIDE_PLANS) and plan.status == Status.SUBMITTED


def can_create_courses(user: User, plan: AnnualPlan) -> bool:
    return has_capability(user, Capability.EDIT_PLANS) and plan.status == Status.APPROVED
