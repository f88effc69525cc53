from typing import Any, cast

from django.apps import AppConfig, apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def _portable_ranges() -> None:
    """Every integer column validates against what PostgreSQL's column holds, on SQLite too
    (which would store any 64-bit number and then have pages fail on it). The range joins the
    field's validators, so `full_clean()` in every service, the API and imports refuses an
    out-of-range number with a message, instead of the database refusing it later.

    Set on the field's cached `validators`, not its constructor's, so migrations do not change."""
    from llct.core.forms import COLUMN_RANGES

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            bounds = COLUMN_RANGES.get(field.get_internal_type())
            if bounds is None or isinstance(field, models.AutoField | models.ForeignKey):
                continue
            own: list[Any] = [*field.default_validators, *cast(Any, field)._validators]
            field.__dict__["validators"] = [
                *own,
                MinValueValidator(bounds[0]),
                MaxValueValidator(bounds[1]),
            ]


class CoreConfig(AppConfig):
    name = "llct.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from llct.core.middleware import session_seen_at_sign_in

        _portable_ranges()
        user_logged_in.connect(session_seen_at_sign_in, dispatch_uid="llct_session_seen")
