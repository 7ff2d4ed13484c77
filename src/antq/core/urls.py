from django.urls import path

from antq.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("viec/<int:pk>/", views.job_status, name="job"),
    path("viec/<int:pk>/tai-ve/", views.job_download, name="job_download"),
    path("nhat-ky/", views.audit_list, name="audit_list"),
    path("nhat-ky/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
]
