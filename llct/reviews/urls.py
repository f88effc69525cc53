"""Each views module of the app declares its own urlpatterns; this gathers them."""

from llct.reviews import views_briefings, views_inspections, views_rounds

app_name = "reviews"

# Briefings first: "kiem-tra/giao-ban/" must not be read as an inspection.
urlpatterns = [
    *views_briefings.urlpatterns,
    *views_inspections.urlpatterns,
    *views_rounds.urlpatterns,
]
