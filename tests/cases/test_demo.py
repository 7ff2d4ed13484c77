"""The complaints and denunciations of the demo city (``antq demo-data``)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from antq.accounts.models import User
from antq.cases.calendar import WorkCalendar
from antq.cases.deadlines import add_working_days
from antq.cases.demo import DEFAULT_CASES, demo_case_plans, demo_cases_create
from antq.cases.models import Case, CaseDeadline, CaseEvent, DeadlineAlert, SealedIdentity
from antq.cases.reminders import OVERDUE
from antq.cases.services import today, work_calendar
from antq.cases.status import (
    FINAL_STATUSES,
    CaseKind,
    CaseStatus,
    Complexity,
    DocumentType,
    move_to,
)
from antq.core.audit import audit_verify
from antq.core.models import AuditEntry, Notification
from antq.registry.demo import demo_city_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # the acceptance notices' DOCX files
    demo_city_create(units=60)


def _fingerprint() -> list[tuple[object, ...]]:
    """What the demo cases are, without their ids (another run numbers them anew)."""
    return list(
        Case.objects.order_by("id").values_list(
            "kind", "status", "subject", "respondent", "received_on", "next_due_on", "complexity"
        )
    )


def _open_due() -> list[dt.date]:
    rows = CaseDeadline.objects.filter(met_on__isnull=True, due_on__isnull=False)
    return [d.due_on for d in rows if d.due_on is not None]


def test_the_command_creates_cases_in_every_state_with_their_history(demo_city: None) -> None:
    out = io.StringIO()
    call_command("demo-data", "--if-empty", "--tips=0", stdout=out)
    assert Case.objects.count() == DEFAULT_CASES
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert "vụ việc khiếu nại, tố cáo mẫu" in out.getvalue()
    # Each move went through the service: one history line per step, each step allowed.
    for case in Case.objects.all():
        events = list(case.events.order_by("at", "id"))
        assert events[0].from_status == "" and events[-1].to_status == case.status
        for event in events[1:]:
            assert move_to(event.from_status, event.to_status) is not None
        assert [e.on for e in events] == sorted(e.on for e in events)
    assert AuditEntry.objects.filter(object_type="cases.case").count() == CaseEvent.objects.count()
    assert audit_verify().ok


def test_some_cases_are_overdue_and_some_due_within_one_and_five_working_days(
    demo_city: None,
) -> None:
    day = today()
    result = demo_cases_create()
    calendar: WorkCalendar = work_calendar()
    due = _open_due()
    assert sum(d < day for d in due) >= 5
    assert result.overdue >= 5
    assert any(day <= d <= add_working_days(day, 1, calendar) for d in due)
    next_1, next_5 = add_working_days(day, 1, calendar), add_working_days(day, 5, calendar)
    assert any(next_1 < d <= next_5 for d in due)
    # Overdue before acceptance and overdue while verifying, as the tour shows.
    late = Case.objects.filter(deadlines__met_on__isnull=True, deadlines__due_on__lt=day)
    assert late.filter(status__in=[CaseStatus.RECEIVED, CaseStatus.INITIAL]).exists()
    assert late.filter(status=CaseStatus.VERIFYING).exists()


def test_a_very_complex_denunciation_is_extended_twice_and_one_case_is_suspended(
    demo_city: None,
) -> None:
    demo_cases_create()
    extended = Case.objects.get(status=CaseStatus.EXTENDED, extensions=2)
    assert (extended.kind, extended.complexity) == (CaseKind.DENUNCIATION, Complexity.VERY_COMPLEX)
    # 30 days, then 30 more twice (Luật Tố cáo Điều 30), counted from the acceptance.
    resolution = extended.deadlines.get(stage="resolution")
    assert resolution.starts_on == extended.accepted_on
    assert resolution.due_on is not None and resolution.due_on > today()
    suspended = Case.objects.filter(status=CaseStatus.SUSPENDED)
    assert suspended.exists()
    for case in suspended:
        assert case.suspensions.filter(ends_on__isnull=True).count() == 1
        # The time of the resolution stands still while suspended (Luật Tố cáo Điều 34).
        assert case.deadlines.get(stage="resolution").due_on is None


def test_accepted_denunciations_have_their_acceptance_notice_issued(demo_city: None) -> None:
    demo_cases_create()
    accepted = Case.objects.filter(kind=CaseKind.DENUNCIATION).exclude(accepted_on=None)
    assert accepted.count() >= 5
    for case in accepted:
        notice = case.documents.get(doc_type=DocumentType.ACCEPT_NOTICE)
        assert case.accepted_on is not None and notice.issued_on >= case.accepted_on
        assert case.deadlines.get(stage="notice").met_on == notice.issued_on
        assert notice.file.name


def test_denunciators_are_sealed_and_never_named_on_the_case(demo_city: None) -> None:
    demo_cases_create()
    denunciations = Case.objects.filter(kind=CaseKind.DENUNCIATION)
    assert denunciations.count() >= 5
    assert SealedIdentity.objects.count() == denunciations.count()
    assert not denunciations.exclude(filer_name="").exists()
    assert not Case.objects.exclude(kind=CaseKind.DENUNCIATION).filter(filer_name="").exists()


def test_finished_cases_have_no_open_deadline_and_concluded_ones_a_conclusion(
    demo_city: None,
) -> None:
    demo_cases_create()
    final = Case.objects.filter(status__in=FINAL_STATUSES)
    assert final.exists() and not final.filter(closed_on=None).exists()
    assert not CaseDeadline.objects.filter(case__in=final, met_on__isnull=True).exists()
    concluded = Case.objects.exclude(concluded_on=None)
    assert concluded.exists() and not concluded.filter(conclusion="").exists()


def test_the_scan_leaves_reminders_in_the_handlers_inboxes(demo_city: None) -> None:
    result = demo_cases_create()
    assert result.alerts == DeadlineAlert.objects.count() > 0
    assert DeadlineAlert.objects.filter(level=OVERDUE).exists()
    assert DeadlineAlert.objects.filter(level="before_1").exists()
    assert DeadlineAlert.objects.filter(level="before_5").exists()
    notified = Notification.objects.filter(key__startswith="case-deadline:")
    assert result.notifications == notified.count() > 0
    users = set(notified.values_list("user__username", flat=True))
    assert {"ca.hoankiem", "antt.vietduc"} <= users
    # The head of the unit hears about its overdue cases.
    assert User.objects.get(username="thutruong.vietduc").notifications.filter(urgent=True).exists()


def test_it_is_the_same_for_the_same_seed_and_another_for_another(demo_city: None) -> None:
    day = today() - dt.timedelta(days=3)
    demo_cases_create(seed=7, count=30, today=day)
    first = _fingerprint()
    Case.objects.all().delete()
    demo_cases_create(seed=7, count=30, today=day)
    assert _fingerprint() == first
    Case.objects.all().delete()
    demo_cases_create(seed=8, count=30, today=day)
    assert _fingerprint() != first
    assert demo_case_plans(seed=7, count=40) == demo_case_plans(seed=7, count=40)


def test_running_it_again_adds_nothing(demo_city: None) -> None:
    demo_cases_create(count=25)
    again = demo_cases_create(count=25)
    assert (again.cases, Case.objects.count()) == (0, 25)


def test_without_the_demo_city_it_does_nothing(areas: None) -> None:
    assert demo_cases_create().cases == 0
    assert not Case.objects.exists()
