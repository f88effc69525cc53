from llct.assessment import views_certificates

app_name = "verify"

urlpatterns = [*views_certificates.public_urlpatterns]
