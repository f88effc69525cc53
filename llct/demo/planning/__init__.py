"""Demo data for the yearly cycle: nomination rounds, the annual plan and its budget, the plan
set against what happened. `manage.py seed_demo` calls `planning_demo` once the courses
(llct.demo.courses) and their results (llct.demo.assessment) are seeded.

Everything is drawn from the caller's `random.Random` and dated relative to `today`, and every
write goes through the services of llct.planning.nominations and llct.planning.plans, so the
rows are what the department, the organizations and the leader would have made:

- this year's round, opened and closed last autumn, every organization having submitted the
  people the suggestion engine proposed; the annual plan built from those nominations (planned
  courses matching the year's courses, budget from the norms with the long course's venue line
  adjusted by hand, facility needs), submitted, returned by the leader with comments, revised (a
  course added, a materials line adjusted), submitted again and approved. Its planned courses
  are linked to the courses actually run (finished, in progress, open); one still to come
  becomes a course through the plan-to-course service, others are not held. Expenses are
  recorded against a few held courses, one organization's over its budget.
- next year's round, opened five weeks ago with a deadline three days ago: about half of the
  organizations submitted (a few with people added by hand), the others are late drafts or
  have not started, one was reminded by email, and the department reopened two: one has
  submitted late, the other (the demo officer's own) may still change its nominations.

The services stamp their rows with the clock; the demo moves each step's rows to its own date
afterwards (as the assessment demo does for approvals), so timelines read like a real year.

The package follows the cycle: year.py runs it (`planning_demo`), rounds.py the nomination
rounds, plan.py the annual plan, carried_out.py the courses opened from the plan and the
spending; shared.py holds the texts they write and the dating of each step's rows.
"""
