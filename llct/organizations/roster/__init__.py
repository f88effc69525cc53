"""Roster import: an .xlsx roster in, people on the rolls out.

Reading is forgiving: the header row may sit anywhere in the first 20 rows, headers and values are
matched without case or diacritics, and the signature block below the list is recognised.
Writing is strict: every row is checked first, then all valid rows are written in one transaction
with bulk queries, or nothing is. A rejected row is reported with its Excel row number and every
reason at once.

Matching keeps a re-import idempotent: a row is the person holding its party card number, else
the person with the same name (without case or diacritics) and date of birth in the importing
organization's subtree (or the one namesake there recorded without a date of birth, or, when the
row has none, the one namesake at all). A blank cell says nothing: it never clears what the rolls
hold, and a blank organization cell puts a new person in the importing organization but leaves
a known one where they are.
"""
