"""The department's desk for crime-prevention bulletins (/tin-bao/canh-bao/)."""

from django.urls import path

from antq.tips import views_bulletins

app_name = "bulletins"

urlpatterns = [
    path("", views_bulletins.bulletin_list, name="bulletin_list"),
    path("them/", views_bulletins.bulletin_create, name="bulletin_create"),
    path("<int:pk>/", views_bulletins.bulletin_edit, name="bulletin_edit"),
    path("<int:pk>/dang/", views_bulletins.bulletin_publish, name="bulletin_publish"),
]
