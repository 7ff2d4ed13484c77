"""The officers' side of tips: inbox, tip page, its actions and private files."""

from django.urls import path

from antq.tips import views

app_name = "tips"
urlpatterns = [
    path("", views.tip_list, name="tip_list"),
    path("phan-cong/", views.tip_bulk_assign, name="tip_bulk_assign"),
    path("<int:pk>/", views.tip_detail, name="tip_detail"),
    path("<int:pk>/sua/", views.tip_edit, name="tip_edit"),
    path("<int:pk>/phan-cong/", views.tip_assign, name="tip_assign"),
    path("<int:pk>/trang-thai/", views.tip_transition, name="tip_transition"),
    path("<int:pk>/nhan-tin/", views.tip_message, name="tip_message"),
    path("<int:pk>/ghi-chu/", views.tip_note, name="tip_note"),
    path("<int:pk>/gop/", views.tip_merge, name="tip_merge"),
    path("<int:pk>/nguoi-bao-tin/", views.tip_identity, name="tip_identity"),
    path("tep/<int:pk>/", views.attachment_download, name="attachment_download"),
]
