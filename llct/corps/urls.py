from llct.corps import (
    views,
    views_facilities,
    views_followups,
    views_honoraria,
    views_online,
)

app_name = "corps"

urlpatterns = [
    *views.urlpatterns,
    *views_honoraria.urlpatterns,
    *views_followups.urlpatterns,
    *views_online.urlpatterns,
    *views_facilities.urlpatterns,
]
