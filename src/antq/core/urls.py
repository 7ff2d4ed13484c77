from django.urls import path

from antq.core import views, views_notifications

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("viec/<int:pk>/", views.job_status, name="job"),
    path("viec/<int:pk>/tai-ve/", views.job_download, name="job_download"),
    path("nhat-ky/", views.audit_list, name="audit_list"),
    path("nhat-ky/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("thong-bao/", views_notifications.notification_list, name="notification_list"),
    path(
        "thong-bao/da-doc/",
        views_notifications.notification_mark_read,
        name="notification_mark_read",
    ),
    path("thong-bao/<int:pk>/", views_notifications.notification_open, name="notification_open"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
]
