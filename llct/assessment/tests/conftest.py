"""The shared fixtures of the course and assessment tests."""

from llct.courses.tests.factories import as_user

__all__ = ["as_user"]
