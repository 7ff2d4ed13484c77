"""Complaint and denunciation cases: register, case file, stages, documents, overdue board,
statistics, and the deadline rules and calendar."""

from django.urls import path

from antq.cases import views, views_documents, views_settings, views_stats

app_name = "cases"
urlpatterns = [
    # The register and the case file (views.py).
    path("", views.case_list, name="case_list"),
    path("moi/", views.case_create, name="case_create"),
    path("moi/don-vi/", views.unit_options, name="unit_options"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/sua/", views.case_edit, name="case_edit"),
    path("<int:pk>/chuyen-buoc/", views.case_transition, name="case_transition"),
    path("<int:pk>/tep/", views.case_add_files, name="case_add_files"),
    path("<int:pk>/tep/<str:token>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/nguoi-to-cao/", views.case_unseal, name="case_unseal"),
    # Documents (views_documents.py).
    path("<int:pk>/van-ban/moi/", views_documents.document_new, name="document_new"),
    path(
        "<int:pk>/van-ban/<int:doc_id>/",
        views_documents.document_download,
        name="document_download",
    ),
    # Overdue board and statistics (views_stats.py).
    path("qua-han/", views_stats.overdue_board, name="overdue_board"),
    path("thong-ke/", views_stats.statistics, name="statistics"),
    path("thong-ke/excel/", views_stats.statistics_xlsx, name="statistics_xlsx"),
    # Deadline rules, calendar, scan (views_settings.py).
    path("thoi-han/", views_settings.rule_list, name="rule_list"),
    path("thoi-han/moi/", views_settings.rule_create, name="rule_create"),
    path("thoi-han/<int:rule_id>/", views_settings.rule_edit, name="rule_edit"),
    path("thoi-han/<int:rule_id>/xoa/", views_settings.rule_delete, name="rule_delete"),
    path("lich/", views_settings.calendar_days, name="calendar_days"),
    path("lich/<int:day_id>/xoa/", views_settings.calendar_day_delete, name="calendar_day_delete"),
    path("quet-han/", views_settings.scan_run, name="scan_run"),
]
