from django.urls import path

from antq.tips import views_channels

app_name = "channels"

urlpatterns = [
    path("sms/", views_channels.sms_inbound, name="sms_inbound"),
]
