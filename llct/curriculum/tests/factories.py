import itertools
from typing import Any

from llct.courses.tests.factories import make_course, make_session
from llct.curriculum.models import Lecturer, Programme, Topic

# Courses and their sessions are built by the courses app's builders (one of each in the suite);
# they are named here too for the tests that import all their builders from curriculum.
__all__ = ["make_course", "make_lecturer", "make_programme", "make_session"]

_seq = itertools.count(1)


def make_programme(name: str = "Chương trình thử", topics: int = 3, **fields: Any) -> Programme:
    programme = Programme.objects.create(
        code=fields.pop("code", f"P{next(_seq)}"), name=name, kind="professional", **fields
    )
    for order in range(1, topics + 1):
        Topic.objects.create(programme=programme, order=order, title=f"Chuyên đề {order}")
    return programme


def make_lecturer(full_name: str = "Lê Văn Giảng", **fields: Any) -> Lecturer:
    topics = fields.pop("topics", [])
    lecturer = Lecturer.objects.create(full_name=full_name, **fields)
    lecturer.topics.set(topics)
    return lecturer
