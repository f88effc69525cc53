from django.urls import path

from llct.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("xuat/", views.tree_export, name="tree_export"),
    path("chon/", views.organization_picker, name="picker"),
    path("cay/<int:pk>/", views.tree_branch, name="tree_branch"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/doi-ten/", views.organization_rename, name="rename"),
    path("<int:pk>/chuyen/", views.organization_move, name="move"),
    path("<int:pk>/hop-nhat/", views.organization_merge, name="merge"),
    path("<int:pk>/chia-tach/", views.organization_split, name="split"),
    path("<int:pk>/them-to-chuc/", views.organization_create_child, name="create_child"),
    path("nhan-su/", views.person_list, name="people"),
    path("nhan-su/xuat/", views.person_export, name="people_export"),
    path("nhan-su/xuat/<int:pk>/", views.people_export_detail, name="people_export_detail"),
    path(
        "nhan-su/xuat/<int:pk>/tai-ve/",
        views.people_export_download,
        name="people_export_download",
    ),
    path("nhan-su/them/", views.person_create, name="person_create"),
    path("nhan-su/<int:pk>/", views.person_detail, name="person_detail"),
    path("nhan-su/<int:pk>/sua/", views.person_edit, name="person_edit"),
    path("quy-dinh-dang-vien/", views.membership_rules, name="membership_rules"),
]

# Roster import (views_roster.py).
from llct.organizations import views_roster  # noqa: E402

urlpatterns += [
    path("nhap-danh-sach/", views_roster.roster_upload, name="roster_upload"),
    path("nhap-danh-sach/<int:pk>/", views_roster.roster_detail, name="roster_detail"),
    path("nhap-danh-sach/<int:pk>/ghi/", views_roster.roster_commit, name="roster_commit"),
    path("nhap-danh-sach/<int:pk>/huy/", views_roster.roster_cancel, name="roster_cancel"),
    path("nhap-danh-sach/<int:pk>/don-vi/", views_roster.roster_place, name="roster_place"),
    path(
        "nhap-danh-sach/<int:pk>/dong-bi-tu-choi.xlsx",
        views_roster.roster_rejected,
        name="roster_rejected",
    ),
]
