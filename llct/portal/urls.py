from django.urls import include, path

from llct.portal import views, views_documents, views_editor

app_name = "portal"

urlpatterns = [
    path("tin-tuc/", views.index, name="index"),
    path("tin-tuc/", include(views_editor.urlpatterns)),
    path("tin-tuc/chuyen-muc/<slug:slug>/", views.category, name="category"),
    path("tin-tuc/tim-kiem/", views.search, name="search"),
    path("tin-tuc/rss/", views.rss, name="rss"),
    path("tin-tuc/atom/", views.atom, name="atom"),
    path("tin-tuc/anh/<int:pk>/<str:size>/", views.image, name="image"),
    path("tin-tuc/<slug:slug>/", views.article, name="article"),
    path("van-ban/", include(views_documents.urlpatterns)),
]
