from llct.corps import views, views_followups, views_honoraria

app_name = "corps"

urlpatterns = [*views.urlpatterns, *views_honoraria.urlpatterns, *views_followups.urlpatterns]
