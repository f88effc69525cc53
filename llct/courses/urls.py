"""Each views module of the app declares its own urlpatterns; this gathers them."""

from llct.courses import views, views_attendance, views_calendar, views_venues

app_name = "courses"

urlpatterns = [
    *views.urlpatterns,
    *views_attendance.urlpatterns,
    *views_calendar.urlpatterns,
    *views_venues.urlpatterns,
]
