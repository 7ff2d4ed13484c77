from django.urls import path

from antq.registry import views, views_transfer

app_name = "registry"
urlpatterns = [
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/them/", views.unit_create, name="unit_create"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("don-vi/<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("don-vi/<int:pk>/xoa/", views.unit_delete, name="unit_delete"),
    # Import and export (views_transfer.py)
    path("don-vi/xuat-excel/", views_transfer.unit_export, name="unit_export"),
    path("don-vi/nhap/", views_transfer.import_upload, name="import_upload"),
    path("don-vi/nhap/mau/", views_transfer.import_template, name="import_template"),
    path("don-vi/nhap/<int:pk>/", views_transfer.import_preview, name="import_preview"),
    path("don-vi/nhap/<int:pk>/xac-nhan/", views_transfer.import_confirm, name="import_confirm"),
    path("don-vi/nhap/<int:pk>/huy/", views_transfer.import_cancel, name="import_cancel"),
    path("don-vi/nhap/<int:pk>/dong-loi/", views_transfer.import_rejected, name="import_rejected"),
    # Areas
    path("dia-ban/", views.area_list, name="area_list"),
    path("dia-ban/<int:pk>/", views.area_detail, name="area_detail"),
]
