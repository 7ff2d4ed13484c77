"""The Atom feed of the published crime-prevention bulletins (/canh-bao/feed.atom)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from antq.tips.models import Bulletin

FEED_ITEMS = 30


class BulletinFeed(Feed[Bulletin, None]):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Cảnh báo phòng ngừa tội phạm — %(dept)s") % {
            "dept": settings.ANTQ_DEPARTMENT_NAME
        }

    def subtitle(self) -> str:
        return _("Phương thức, thủ đoạn của tội phạm và cách phòng tránh.")

    def link(self) -> str:
        return reverse("public:bulletin_list")

    def author_name(self) -> str:
        return settings.ANTQ_DEPARTMENT_NAME

    def items(self) -> QuerySet[Bulletin]:
        return Bulletin.objects.filter(is_published=True).order_by("-published_at", "-id")[
            :FEED_ITEMS
        ]

    def item_title(self, item: Bulletin) -> str:
        return item.title

    def item_description(self, item: Bulletin) -> str:
        return item.summary

    def item_link(self, item: Bulletin) -> str:
        return reverse("public:bulletin_detail", kwargs={"slug": item.slug})

    def item_pubdate(self, item: Bulletin) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Bulletin) -> dt.datetime:
        return item.updated_at
