"""Annual plans, by responsibility: permissions, reads (selectors), the budget, writes
(services), history (snapshots, differences, timeline), from plan to courses (courses), plan
against actual (actual)."""
