"""Public pages of the hotline, served without an account (see core.middleware)."""

from django.urls import path
from django.views.decorators.http import require_GET

from antq.tips import views_bulletins, views_public
from antq.tips.feeds import BulletinFeed

app_name = "public"

urlpatterns = [
    path("gui-tin-bao/", views_public.tip_submit, name="tip_submit"),
    path("gui-tin-bao/don-vi/", views_public.unit_options, name="unit_options"),
    path("tra-cuu/", views_public.tip_lookup, name="tip_lookup"),
    path("tra-cuu/tra-loi/", views_public.tip_reply, name="tip_reply"),
    path("canh-bao/", views_bulletins.public_list, name="bulletin_list"),
    path("canh-bao/feed.atom", require_GET(BulletinFeed()), name="bulletin_feed"),
    path("canh-bao/<slug:slug>/", views_bulletins.public_detail, name="bulletin_detail"),
]
