"""The hotline of the demo city (``antq demo-data``)."""

from __future__ import annotations

import pytest

from antq.accounts.models import User
from antq.accounts.scoping import tips_for
from antq.core.audit import audit_verify
from antq.core.models import AuditAction, AuditEntry
from antq.registry.demo import demo_city_create
from antq.textvn import fold
from antq.tips.demo import (
    DEMO_PARTNER_KEY,
    DEMO_TIP_CODE,
    DEMO_TIP_PASSPHRASE,
    demo_tips_create,
)
from antq.tips.models import Bulletin, Tip, TipMessage
from antq.tips.services import partner_authenticate, tip_authenticate
from antq.tips.status import CLOSED_STATUSES, OPEN_STATUSES, Channel, Sender, TipStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    demo_city_create(units=60)


def test_it_creates_tips_with_one_dated_audit_row_each(demo_city: None) -> None:
    result = demo_tips_create(count=120)
    assert result.tips == Tip.objects.count() == 120
    received = AuditEntry.objects.filter(action=AuditAction.RECEIVE, object_type="tips.tip")
    assert received.count() == 120
    tip = Tip.objects.order_by("received_at").first()
    assert tip is not None
    assert received.get(object_id=str(tip.pk)).at == tip.received_at
    assert audit_verify().ok


def test_running_it_again_adds_nothing(demo_city: None) -> None:
    demo_tips_create(count=50)
    again = demo_tips_create(count=50)
    assert (again.tips, Tip.objects.count(), Bulletin.objects.count()) == (0, 50, 4)


def test_the_demo_tip_opens_with_the_printed_passphrase_and_has_a_dialogue(
    demo_city: None,
) -> None:
    demo_tips_create(count=30)
    tip = tip_authenticate(DEMO_TIP_CODE, DEMO_TIP_PASSPHRASE)
    assert tip is not None and tip.status == TipStatus.VERIFYING
    senders = set(TipMessage.objects.filter(tip=tip).values_list("sender", flat=True))
    assert senders == {Sender.OFFICER, Sender.TIPSTER}


def test_the_demo_partner_key_opens_open311(demo_city: None) -> None:
    demo_tips_create(count=10)
    partner = partner_authenticate(DEMO_PARTNER_KEY)
    assert partner is not None and partner.is_active


def test_each_demo_officer_finds_open_and_closed_tips_in_his_wards(demo_city: None) -> None:
    demo_tips_create(count=300)
    for username in ("ca.hoankiem", "ca.badinh"):
        visible = tips_for(User.objects.get(username=username))
        assert visible.filter(status__in=OPEN_STATUSES).exists(), username
        assert visible.filter(status__in=CLOSED_STATUSES).exists(), username
    assert tips_for(User.objects.get(username="antt.vietduc")).exists()


def test_merged_duplicates_point_at_an_earlier_tip_of_the_same_ward(demo_city: None) -> None:
    demo_tips_create(count=300)
    duplicates = Tip.objects.filter(status=TipStatus.DUPLICATE).select_related("merged_into")
    assert duplicates.exists()
    for tip in duplicates:
        assert tip.merged_into is not None
        assert tip.merged_into.ward_id == tip.ward_id
        assert tip.merged_into.received_at <= tip.received_at


def test_the_sms_tips_come_without_diacritics_and_with_their_restored_text(
    demo_city: None,
) -> None:
    demo_tips_create(count=120)
    sms = list(Tip.objects.filter(channel=Channel.SMS))
    assert sms
    for tip in sms:
        assert tip.text.isascii(), tip.text
        assert tip.text_restored and fold(tip.text_restored) == fold(tip.text), tip.text
    # The other channels arrive typed with their diacritics: nothing to restore.
    assert not Tip.objects.exclude(channel=Channel.SMS).exclude(text_restored="").exists()
