"""Staff pages around the inbox, mounted at /tin-bao/: the operator's call form, the export,
the statistics, and the hotline's categories and deadline rules."""

from django.urls import path

from antq.tips import views_manage

app_name = "tipmanage"

urlpatterns = [
    path("goi-den/", views_manage.operator_form, name="operator_form"),
    path("them-dau/", views_manage.text_restore, name="text_restore"),
    path("xuat/", views_manage.tip_export, name="tip_export"),
    path("thong-ke/", views_manage.statistics, name="statistics"),
    path("thong-ke/xuat/", views_manage.statistics_export, name="statistics_export"),
    path("danh-muc/", views_manage.category_list, name="category_list"),
    path("danh-muc/them/", views_manage.category_create, name="category_create"),
    path("danh-muc/<int:pk>/sua/", views_manage.category_edit, name="category_edit"),
    path("danh-muc/<int:pk>/xoa/", views_manage.category_delete, name="category_delete"),
    path("thoi-han/", views_manage.rule_list, name="rule_list"),
    path("thoi-han/them/", views_manage.rule_create, name="rule_create"),
    path("thoi-han/<int:pk>/sua/", views_manage.rule_edit, name="rule_edit"),
]
