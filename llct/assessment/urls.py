"""Each views module of the app declares its own urlpatterns; this gathers them."""

from llct.assessment import views_certificates, views_feedback, views_results

app_name = "assessment"

urlpatterns = [
    *views_results.urlpatterns,
    *views_certificates.urlpatterns,
    *views_feedback.urlpatterns,
]
