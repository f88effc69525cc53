"""Course surveys (khảo sát cuối khóa) and lecturer evaluations: services and selectors.

Anonymity is structural. The answers (SurveyResponse with its LecturerRatings) carry no link to
the person or the enrolment; the SurveyReceipt records only that an enrolment has answered. Both
are written in one transaction, so a learner has either answered (receipt and answers) or not at
all, and a second answer is refused by the receipt's unique enrolment.

Who reads what:
- a lecturer sees averages of their own ratings, per course only once at least MIN_ANSWERS
  learners have rated them there, and never the comments;
- department officers and leaders see the report; comments are for the department only, and
  never shown with a name or in submission order.

The anonymity rule is audited by reading every write and read of survey answers, so they all
live in this package and nowhere else: surveys.py (which surveys are open, the questions,
submitting) and reports.py (who may read what, the averages, the report, a course's feedback).
"""
