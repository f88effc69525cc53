from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from llct.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works signed out too (on the sign-in page).
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("to-chuc/", include("llct.organizations.urls")),
    path("chuong-trinh/", include("llct.curriculum.urls")),
    path("lop-hoc/", include("llct.courses.urls")),
    path("ket-qua/", include("llct.assessment.urls")),
    path("xac-minh/", include("llct.assessment.public_urls")),
    path("ke-hoach/", include("llct.planning.urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

handler404 = "llct.core.views.not_found"
