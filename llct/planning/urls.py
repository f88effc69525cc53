"""Each views module of the app declares its own urlpatterns; this gathers them."""

from llct.planning import views_nominations, views_plans

app_name = "planning"

urlpatterns = [*views_nominations.urlpatterns, *views_plans.urlpatterns]
