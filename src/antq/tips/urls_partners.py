from django.urls import path

from antq.tips import views_partners

app_name = "partners"

urlpatterns = [
    path("", views_partners.partner_list, name="partner_list"),
    path("them/", views_partners.partner_create, name="partner_create"),
    path("<int:pk>/trang-thai/", views_partners.partner_set_active, name="partner_set_active"),
]
