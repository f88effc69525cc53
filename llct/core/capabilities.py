"""What each role may do: one table, read by every permission check and by the menu.

A check names what the user wants to do (`has_capability(user, Capability.RUN_ROLL_CALL)`); which
roles may do it is written once, in `ROLE_CAPABILITIES`. Rules about *which* objects (an officer's
subtree, the lecturer of this very session, a plan still in draft) stay beside the objects in
their own app, and ask this table for the role part first. The navigation menu shows an entry
only when the user holds the capability its page checks, so no menu link answers 403.

A superuser holds the department's capabilities as well as their own role's: the department runs
the training, and a superuser has always been able to do what the department does. Approving a
plan is the leader's act alone (`DECIDE_PLANS` is not the department's), so a superuser cannot
approve unless their role is leader.

Capabilities about the user's own record (`OWN_RECORD`) also need an account linked to a person:
a learner account without one has no record to read.
"""

from enum import StrEnum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from llct.core.models import Role, User


class Capability(StrEnum):
    # The rolls: organizations and people (scope: `permissions.scope_path`)
    READ_ROLLS = "read_rolls"
    READ_WHOLE_TREE = "read_whole_tree"
    EDIT_ROLLS = "edit_rolls"
    RECORD_MEMBERSHIP_DECISIONS = "record_membership_decisions"
    READ_MEMBERSHIP_EXCEPTIONS = "read_membership_exceptions"
    EDIT_PARTY_RULES = "edit_party_rules"
    # Curriculum and lecturers
    READ_CURRICULUM = "read_curriculum"
    EDIT_CURRICULUM = "edit_curriculum"
    UPLOAD_OWN_LESSON_PLANS = "upload_own_lesson_plans"
    READ_LECTURERS = "read_lecturers"
    # Courses, venues, attendance, calendars
    READ_COURSES = "read_courses"
    MANAGE_COURSES = "manage_courses"
    ENROL_LEARNERS = "enrol_learners"
    RUN_ROLL_CALL = "run_roll_call"
    READ_VENUES = "read_venues"
    MANAGE_VENUES = "manage_venues"
    EDIT_CLASS_SETTINGS = "edit_class_settings"
    READ_OWN_CALENDAR = "read_own_calendar"
    READ_OTHER_CALENDARS = "read_other_calendars"
    # Results, certificates, surveys
    ENTER_RESULTS = "enter_results"
    APPROVE_RESULTS = "approve_results"
    READ_CERTIFICATES = "read_certificates"
    MANAGE_CERTIFICATES = "manage_certificates"
    READ_FEEDBACK_REPORT = "read_feedback_report"
    READ_FEEDBACK_COMMENTS = "read_feedback_comments"
    READ_OWN_RATINGS = "read_own_ratings"
    READ_OWN_RECORD = "read_own_record"
    ANSWER_SURVEYS = "answer_surveys"
    # Nominations and annual plans (planning)
    READ_NOMINATIONS = "read_nominations"
    NOMINATE = "nominate"
    MANAGE_NOMINATION_ROUNDS = "manage_nomination_rounds"
    READ_PLANS = "read_plans"
    EDIT_PLANS = "edit_plans"
    DECIDE_PLANS = "decide_plans"
    # Projects (đề án) and the effect of training
    READ_PROJECTS = "read_projects"
    MANAGE_PROJECTS = "manage_projects"
    REPORT_PROJECT_PROGRESS = "report_project_progress"
    READ_FOLLOWUPS = "read_followups"
    ANSWER_FOLLOWUPS = "answer_followups"
    MANAGE_FOLLOWUPS = "manage_followups"
    # The lecturer corps and facilities
    READ_LECTURER_REGISTER = "read_lecturer_register"
    EDIT_LECTURER_REGISTER = "edit_lecturer_register"
    READ_FACILITIES = "read_facilities"
    EDIT_FACILITIES = "edit_facilities"
    # Oversight and reports
    READ_OVERSIGHT = "read_oversight"
    MANAGE_OVERSIGHT = "manage_oversight"
    WRITE_REPORTS = "write_reports"
    MANAGE_REPORTING_ROUNDS = "manage_reporting_rounds"
    EDIT_DOCUMENT_SETTINGS = "edit_document_settings"
    # Resolution study and online tests
    READ_STUDIES = "read_studies"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    RECORD_STUDY = "record_study"
    MANAGE_TESTS = "manage_tests"
    READ_TEST_RESULTS = "read_test_results"
    # The portal and the document library
    READ_LIBRARY = "read_library"
    READ_INTERNAL_DOCUMENTS = "read_internal_documents"
    READ_MEMBERS_DOCUMENTS = "read_members_documents"
    EDIT_LIBRARY = "edit_library"
    EDIT_PORTAL = "edit_portal"
    # Connections (API tokens, webhooks, feeds)
    USE_CONNECTIONS = "use_connections"
    MANAGE_API = "manage_api"
    MANAGE_STUDY_FEEDS = "manage_study_feeds"


C = Capability

# What every signed-in user may do, whatever the role.
_EVERYONE = frozenset(
    {
        C.READ_CURRICULUM,
        C.READ_COURSES,
        C.READ_VENUES,
        C.READ_OWN_CALENDAR,
        C.READ_STUDIES,
        C.READ_LIBRARY,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Ban Tuyên giáo: runs the training for the whole tree.
    Role.DEPARTMENT: _EVERYONE
    | {
        C.READ_ROLLS,
        C.READ_WHOLE_TREE,
        C.EDIT_ROLLS,
        C.RECORD_MEMBERSHIP_DECISIONS,
        C.READ_MEMBERSHIP_EXCEPTIONS,
        C.EDIT_PARTY_RULES,
        C.EDIT_CURRICULUM,
        C.READ_LECTURERS,
        C.MANAGE_COURSES,
        C.ENROL_LEARNERS,
        C.RUN_ROLL_CALL,
        C.MANAGE_VENUES,
        C.EDIT_CLASS_SETTINGS,
        C.READ_OTHER_CALENDARS,
        C.ENTER_RESULTS,
        C.APPROVE_RESULTS,
        C.READ_CERTIFICATES,
        C.MANAGE_CERTIFICATES,
        C.READ_FEEDBACK_REPORT,
        C.READ_FEEDBACK_COMMENTS,
        C.READ_NOMINATIONS,
        C.NOMINATE,
        C.MANAGE_NOMINATION_ROUNDS,
        C.READ_PLANS,
        C.EDIT_PLANS,
        C.READ_PROJECTS,
        C.MANAGE_PROJECTS,
        C.REPORT_PROJECT_PROGRESS,
        C.READ_FOLLOWUPS,
        C.ANSWER_FOLLOWUPS,
        C.MANAGE_FOLLOWUPS,
        C.READ_LECTURER_REGISTER,
        C.EDIT_LECTURER_REGISTER,
        C.READ_FACILITIES,
        C.EDIT_FACILITIES,
        C.READ_OVERSIGHT,
        C.MANAGE_OVERSIGHT,
        C.WRITE_REPORTS,
        C.MANAGE_REPORTING_ROUNDS,
        C.EDIT_DOCUMENT_SETTINGS,
        C.MANAGE_CAMPAIGNS,
        C.RECORD_STUDY,
        C.MANAGE_TESTS,
        C.READ_TEST_RESULTS,
        C.READ_INTERNAL_DOCUMENTS,
        C.READ_MEMBERS_DOCUMENTS,
        C.EDIT_LIBRARY,
        C.EDIT_PORTAL,
        C.USE_CONNECTIONS,
        C.MANAGE_API,
        C.MANAGE_STUDY_FEEDS,
    },
    # An organization's officer: the same work, within their own subtree.
    Role.ORG_OFFICER: _EVERYONE
    | {
        C.READ_ROLLS,
        C.EDIT_ROLLS,
        C.RECORD_MEMBERSHIP_DECISIONS,
        C.READ_LECTURERS,
        C.MANAGE_COURSES,
        C.ENROL_LEARNERS,
        C.RUN_ROLL_CALL,
        C.MANAGE_VENUES,
        C.READ_OTHER_CALENDARS,
        C.ENTER_RESULTS,
        C.READ_CERTIFICATES,
        C.READ_NOMINATIONS,
        C.NOMINATE,
        C.READ_PROJECTS,
        C.REPORT_PROJECT_PROGRESS,
        C.READ_FOLLOWUPS,
        C.ANSWER_FOLLOWUPS,
        C.READ_OVERSIGHT,
        C.WRITE_REPORTS,
        C.RECORD_STUDY,
        C.READ_TEST_RESULTS,
        C.READ_INTERNAL_DOCUMENTS,
        C.READ_MEMBERS_DOCUMENTS,
        C.USE_CONNECTIONS,
        C.MANAGE_STUDY_FEEDS,
    },
    # The committee's leader: reads the whole tree, approves plans, edits nothing.
    Role.LEADER: _EVERYONE
    | {
        C.READ_ROLLS,
        C.READ_WHOLE_TREE,
        C.READ_MEMBERSHIP_EXCEPTIONS,
        C.READ_LECTURERS,
        C.READ_OTHER_CALENDARS,
        C.READ_CERTIFICATES,
        C.READ_FEEDBACK_REPORT,
        C.READ_NOMINATIONS,
        C.READ_PLANS,
        C.DECIDE_PLANS,
        C.READ_PROJECTS,
        C.READ_FOLLOWUPS,
        C.READ_LECTURER_REGISTER,
        C.READ_FACILITIES,
        C.READ_OVERSIGHT,
        C.READ_TEST_RESULTS,
        C.READ_INTERNAL_DOCUMENTS,
        C.READ_MEMBERS_DOCUMENTS,
    },
    # A lecturer: their sessions, their topics, their ratings.
    Role.LECTURER: _EVERYONE
    | {
        C.UPLOAD_OWN_LESSON_PLANS,
        C.READ_LECTURERS,
        C.RUN_ROLL_CALL,
        C.READ_OTHER_CALENDARS,
        C.ENTER_RESULTS,
        C.READ_OWN_RATINGS,
        C.READ_MEMBERS_DOCUMENTS,
    },
    # A learner: their own courses, results, certificates and surveys.
    Role.LEARNER: _EVERYONE
    | {
        C.READ_OWN_RECORD,
        C.ANSWER_SURVEYS,
    },
}

# Capabilities about the user's own record: they also need an account linked to a person.
OWN_RECORD = frozenset({C.READ_OWN_RECORD, C.ANSWER_SURVEYS})


def capabilities_of(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[Capability]:
    """Everything this user may do; nothing for an anonymous visitor."""
    # API tokens act through inactive users of their own (see llct/api), so activity is the
    # sign-in's business, not this table's.
    if not isinstance(user, User):
        return frozenset()
    held = ROLE_CAPABILITIES.get(user.role, frozenset())
    if user.is_superuser:
        held = held | ROLE_CAPABILITIES[Role.DEPARTMENT]
    if not user.person_id:
        held = held - OWN_RECORD
    return held


def has_capability(user: AbstractBaseUser | AnonymousUser | None, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def holders(capability: Capability) -> frozenset[str]:
    """The roles that hold a capability (the documentation table and tests read it)."""
    return frozenset(role for role, held in ROLE_CAPABILITIES.items() if capability in held)
