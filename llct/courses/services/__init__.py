"""Writes for running classes, one module per responsibility: conflicts, courses, sessions,
enrolment, check-in and single marks, venues and scheduling rules."""
