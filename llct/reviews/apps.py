from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "llct.reviews"
    label = "reviews"
    verbose_name = _("Oversight and reports")

    def ready(self) -> None:
        # Overdue recommendations join monitoring's watchlists (monitoring sits below this
        # app and never imports it; this app adds itself, never the reverse).
        from llct.monitoring.watchlists import register
        from llct.reviews.selectors import (
            OVERDUE,
            OVERDUE_HEADING,
            OVERDUE_LABEL,
            overdue_watchlist,
        )

        register(
            code=OVERDUE, label=OVERDUE_LABEL, build=overdue_watchlist, heading=OVERDUE_HEADING
        )
