"""Complaint and denunciation cases: register, case file, stages, documents, overdue board,
statistics, and the deadline rules and calendar."""

from django.urls import path

from antq.cases import views

app_name = "cases"
urlpatterns = [
    # The register and the case file (views.py).
    path("", views.case_list, name="case_list"),
    path("moi/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/sua/", views.case_edit, name="case_edit"),
    path("<int:pk>/chuyen-buoc/", views.case_transition, name="case_transition"),
    path("<int:pk>/tep/", views.case_add_files, name="case_add_files"),
    path("<int:pk>/tep/<str:token>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/nguoi-to-cao/", views.case_unseal, name="case_unseal"),
    # Documents (views_documents.py).
    # Overdue board and statistics (views_stats.py).
    # Deadline rules, calendar, scan (views_settings.py).
]
