from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from llct.api.endpoints import urlpatterns as api_urlpatterns
from llct.api.views_docs import api_docs
from llct.core import views as core_views
from llct.home import views as home_views
from llct.portal.cache import public_cache
from llct.portal.views import SITEMAPS

urlpatterns = [
    path("", home_views.home, name="home"),
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
    path("dang-vien/", include("llct.assessment.membership_urls")),
    path("xac-minh/", include("llct.assessment.public_urls")),
    path("ke-hoach/", include("llct.planning.urls")),
    path("", include("llct.portal.urls")),
    path("hoc-tap/", include("llct.studies.urls")),
    path("doi-ngu/", include("llct.corps.urls")),
    path(
        "sitemap.xml",
        login_not_required(public_cache(sitemap)),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("de-an/", include("llct.monitoring.urls")),
    path("", include("llct.reviews.urls")),
    path("ket-noi/", include("llct.api.urls")),
    path("api/v1/docs/", api_docs, name="api_docs"),
    path("api/v1/", include((api_urlpatterns(), "api-v1"), namespace="api-v1")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

handler404 = "llct.core.views.not_found"
