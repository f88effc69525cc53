from llct.curriculum import views

app_name = "curriculum"

urlpatterns = [*views.urlpatterns]
