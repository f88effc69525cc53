from llct.monitoring import views, views_dashboard

app_name = "monitoring"

urlpatterns = [*views.urlpatterns, *views_dashboard.urlpatterns]
