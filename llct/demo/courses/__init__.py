"""Demo data for running classes: lecturers, venues and a year of courses, with their sessions,
learners and attendance. `manage.py seed_demo` calls `demo_courses` once the rolls are seeded
(llct.demo.organizations).

Everything is drawn from the caller's `random.Random` and dated relative to `today`, so the same
seed on the same day gives the same courses. Courses and their sessions go through the services
(course_create, course_generate_sessions), so they are exactly what the department would make;
lecturers are then assigned to sessions, and enrolments and attendance are bulk-inserted. What
the services would check on those writes is kept by construction here and checked by
llct/courses/tests/test_demo.py: no venue, lecturer or learner in two places at once, lecturers
approved for their topics, learners eligible for the programme, seats enough for the learners.

The shape of the year: finished courses before this week, two courses running this week (a
new-member class with a session today, in which the demo learner is enrolled and the demo
lecturer teaches, and the long trung cấp class), courses open for enrolment after it.

Before them come the classes the party rules call for (`rule_plans`): everyone admitted since
LLCT came into use (MembershipRules.cutover_on) took an awareness class as a candidate, a month or
more before the admission, and everyone recognized as a full member since then took the
new-member class during the probation; they attended every session and passed (the assessment
demo reads that from the rolls). A few people are left out on purpose: the assessment demo
records their decisions as the exceptions the department allowed.

The package, in the order `demo_courses` (year.py) draws: catalogue.py holds what is drawn from
(venues, lecturers and their themes, course titles, reasons); schedule.py plans the year, books
venues and half-days and creates the courses and sessions; learners.py enrols, withdraws and
marks attendance. Every step takes the same `random.Random`, in that order.
"""
