from llct.studies import views_campaigns, views_contests, views_record

app_name = "studies"

urlpatterns = [
    *views_campaigns.urlpatterns,
    *views_contests.urlpatterns,
    *views_record.urlpatterns,
]
