from django.urls import path

from llct.api import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("khoa-api/", views.token_list, name="token_list"),
    path("khoa-api/tao/", views.token_create, name="token_create"),
    path("khoa-api/<int:pk>/", views.token_detail, name="token_detail"),
    path("khoa-api/<int:pk>/thu-hoi/", views.token_revoke, name="token_revoke"),
    path("webhook/", views.endpoint_list, name="endpoint_list"),
    path("webhook/tao/", views.endpoint_create, name="endpoint_create"),
    path("webhook/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("webhook/<int:pk>/bat-tat/", views.endpoint_toggle, name="endpoint_toggle"),
    path("webhook/<int:pk>/doi-khoa/", views.endpoint_rotate, name="endpoint_rotate"),
    path("webhook/lan-gui/<int:pk>/gui-lai/", views.delivery_retry, name="delivery_retry"),
    path("lich-hoc/", views.feed_list, name="feeds"),
    path("trao-doi/", views.interchange_page, name="interchange"),
]
