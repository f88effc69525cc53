from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from llct.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("ngon-ngu/", include("django.conf.urls.i18n")),
    path("to-chuc/", include("llct.organizations.urls")),
    path("chuong-trinh/", include("llct.curriculum.urls")),
    path("lop-hoc/", include("llct.courses.urls")),
    path("ket-qua/", include("llct.assessment.urls")),
    path("xac-minh/", include("llct.assessment.public_urls")),
    path("ke-hoach/", include("llct.planning.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "llct.core.views.not_found"
