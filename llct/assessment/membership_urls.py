from llct.assessment import views_membership

app_name = "membership"

urlpatterns = [*views_membership.urlpatterns]
