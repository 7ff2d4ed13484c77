"""The deadline scan (``antq.cases.reminders.deadline_scan``): who is reminded when, once.

The case of most tests is a first complaint about unit X (ward A), handled by unit X's
officer, received Mon 02/03/2026: its acceptance deadline (Luật Khiếu nại Điều 27, 10 working
days) is Mon 16/03/2026 — Tue 03 … Fri 06 (4), Mon 09 … Fri 13 (9), Mon 16 (10).

Scan days, with ``ANTQ_CASE_REMIND_DAYS`` = 5, 1:
- Fri 06/03: 5 working days ahead is Fri 13/03 → nothing yet;
- Mon 09/03: 1 ahead is Tue 10/03, 5 ahead is Mon 16/03 → ``before_5``;
- Fri 13/03: 1 ahead is Mon 16/03 → ``before_1``;
- Tue 17/03: the deadline has passed → ``overdue``.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from antq.cases import reminders, services
from antq.cases.models import Case, CaseDeadline, DeadlineAlert
from antq.cases.reminders import OVERDUE, deadline_scan, windows
from antq.cases.status import CaseChannel, CaseKind, CaseStatus, Stage
from antq.core.crypto import decrypt
from antq.core.models import Notification, OutboxMessage

D = dt.date
RECEIVED = D(2026, 3, 2)
DUE = D(2026, 3, 16)
NOTHING_YET, FIVE_AHEAD, ONE_AHEAD, LATE = (
    D(2026, 3, 6),
    D(2026, 3, 9),
    D(2026, 3, 13),
    D(2026, 3, 17),
)
REASON = "Người khiếu nại có đơn xin rút"


def _complaint(cast: Any, **fields: Any) -> Case:
    fields.setdefault("unit", cast.unit_x)
    fields.setdefault("handler", cast.unit_x_officer)
    return services.case_register(
        actor=cast.department,
        kind=CaseKind.COMPLAINT_FIRST,
        subject="Khiếu nại quyết định kỷ luật",
        content="Nội dung đơn.",
        channel=CaseChannel.DIRECT,
        received_on=fields.pop("received_on", RECEIVED),
        **fields,
    )


def _acceptance(case: Case) -> CaseDeadline:
    return case.deadlines.get(stage=Stage.ACCEPTANCE)


def _about(key: str) -> tuple[int, str]:
    """(deadline id, level) a notification key names: "case-deadline:<id>:<level>[:…]"."""
    prefix, deadline_id, level = key.split(":")[:3]
    assert prefix == "case-deadline"
    return int(deadline_id), level


def _sent() -> set[tuple[int, int, str]]:
    """(user id, deadline id, level) of every notification stored."""
    return {(u, *_about(k)) for u, k in Notification.objects.values_list("user_id", "key")}


def _notes() -> list[tuple[int, int, str]]:
    """Like ``_sent``, one item per stored notification."""
    rows = Notification.objects.order_by("id").values_list("user_id", "key")
    return [(u, *_about(k)) for u, k in rows]


def test_the_case_of_these_tests_is_due_on_monday_16_march(cast) -> None:
    assert _acceptance(_complaint(cast)).due_on == DUE


def test_nothing_is_sent_more_than_five_working_days_ahead(cast) -> None:
    _complaint(cast)
    result = deadline_scan(day=NOTHING_YET)
    assert (result.total, result.notifications) == (0, 0)
    assert _sent() == set()


def test_five_working_days_ahead_the_handler_is_reminded(cast) -> None:
    case = _complaint(cast)
    deadline = _acceptance(case)
    result = deadline_scan(day=FIVE_AHEAD)
    assert result.alerts == {OVERDUE: 0, "before_1": 0, "before_5": 1}
    assert result.notifications == 1
    note = Notification.objects.get()
    assert (note.user, _about(note.key), note.urgent) == (
        cast.unit_x_officer,
        (deadline.pk, "before_5"),
        False,
    )
    assert note.title == f"Sắp đến hạn thụ lý (xử lý ban đầu): {case.code}"
    assert "16/03/2026" in note.body
    assert note.url == f"/khieu-nai-to-cao/{case.pk}/"


def test_one_working_day_ahead_across_a_weekend_the_handler_is_reminded_again(cast) -> None:
    case = _complaint(cast)
    deadline_scan(day=FIVE_AHEAD)
    result = deadline_scan(day=ONE_AHEAD)
    assert result.alerts == {OVERDUE: 0, "before_1": 1, "before_5": 0}
    deadline = _acceptance(case).pk
    assert _sent() == {
        (cast.unit_x_officer.pk, deadline, "before_5"),
        (cast.unit_x_officer.pk, deadline, "before_1"),
    }


def test_a_deadline_first_seen_one_day_ahead_gets_only_the_one_day_reminder(cast) -> None:
    _complaint(cast)
    result = deadline_scan(day=ONE_AHEAD)
    assert result.alerts == {OVERDUE: 0, "before_1": 1, "before_5": 0}
    assert {level for _, _, level in _sent()} == {"before_1"}


def test_once_overdue_the_handler_the_unit_head_and_the_ward_officer_are_alerted(cast) -> None:
    case = _complaint(cast)
    deadline = _acceptance(case)
    result = deadline_scan(day=LATE)
    assert result.alerts == {OVERDUE: 1, "before_1": 0, "before_5": 0}
    assert _sent() == {
        (cast.unit_x_officer.pk, deadline.pk, OVERDUE),
        (cast.unit_x_head.pk, deadline.pk, OVERDUE),
        (cast.ward_a_officer.pk, deadline.pk, OVERDUE),
    }
    note = Notification.objects.filter(user=cast.ward_a_officer).get()
    assert note.urgent is True
    assert note.title == f"Quá hạn thụ lý (xử lý ban đầu): {case.code}"
    assert "Hạn thụ lý (xử lý ban đầu) là 16/03/2026, đã quá 1 ngày." in note.body


def test_without_a_handler_the_person_who_registered_it_is_reminded(cast) -> None:
    _complaint(cast, handler=None)
    deadline_scan(day=FIVE_AHEAD)
    assert Notification.objects.get().user == cast.department


def test_a_case_without_a_unit_alerts_the_ward_officers_of_its_ward_only(cast) -> None:
    _complaint(cast, unit=None, ward_id=cast.ward_b.pk, handler=None)
    deadline_scan(day=LATE)
    assert set(Notification.objects.values_list("user", flat=True)) == {
        cast.department.pk,
        cast.ward_b_officer.pk,
    }


def test_a_second_scan_sends_nothing_new(cast) -> None:
    _complaint(cast)
    first = deadline_scan(day=LATE)
    sent = _sent()
    second = deadline_scan(day=LATE)
    assert (first.total, first.notifications) == (1, 3)
    assert (second.total, second.notifications) == (0, 0)
    assert _sent() == sent
    assert DeadlineAlert.objects.count() == 1


def test_a_second_run_id_claims_nothing_the_first_claimed(cast) -> None:
    deadline = _acceptance(_complaint(cast))
    (overdue,) = [w for w in windows(LATE, services.work_calendar(), (5, 1)) if w.level == OVERDUE]
    assert reminders._claim(overdue, "run-a") == 1
    assert reminders._claim(overdue, "run-b") == 0
    assert list(DeadlineAlert.objects.values_list("deadline", "level", "run")) == [
        (deadline.pk, OVERDUE, "run-a")
    ]
    recipients = reminders._Recipients()
    assert reminders._notify("run-b", OVERDUE, LATE, recipients) == 0
    assert reminders._notify("run-a", OVERDUE, LATE, recipients) == 3


def test_a_claim_reads_and_inserts_in_one_statement(cast, django_assert_num_queries) -> None:
    """No gap between finding the deadlines not alerted and inserting their alerts, where
    another run could claim them first: one INSERT … SELECT, then this run's count."""
    deadline = _acceptance(_complaint(cast))
    (overdue,) = [w for w in windows(LATE, services.work_calendar(), (5, 1)) if w.level == OVERDUE]
    with django_assert_num_queries(2):
        assert reminders._claim(overdue, "run-b") == 1
    assert list(DeadlineAlert.objects.values_list("deadline", "run", "due_on")) == [
        (deadline.pk, "run-b", deadline.due_on)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_send_one_set_of_notifications(cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises or locks)")
    cases = [_complaint(cast) for _ in range(3)]
    barrier = threading.Barrier(2)
    results: list[reminders.ScanResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(deadline_scan(day=LATE))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(results) == 2
    assert sum(r.alerts[OVERDUE] for r in results) == len(cases)
    assert sum(r.notifications for r in results) == 3 * len(cases)
    assert DeadlineAlert.objects.count() == len(cases)
    assert Notification.objects.count() == 3 * len(cases)


def test_met_deadlines_are_never_alerted(cast) -> None:
    case = _complaint(cast)
    services.case_transition(case=case, to=CaseStatus.INITIAL, actor=cast.department, on=RECEIVED)
    services.case_transition(
        case=case, to=CaseStatus.ACCEPTED, actor=cast.department, on=D(2026, 3, 13)
    )
    assert _acceptance(case).met_on == D(2026, 3, 13)
    # The resolution now runs 30 days from Fri 13/03: Sun 12/04 → Mon 13/04, weeks away.
    assert case.deadlines.get(stage=Stage.RESOLUTION).due_on == D(2026, 4, 13)
    for day in (ONE_AHEAD + dt.timedelta(days=1), LATE, D(2026, 3, 31)):
        assert deadline_scan(day=day).total == 0
    assert _sent() == set()


@pytest.mark.parametrize(
    "path",
    [
        [(CaseStatus.WITHDRAWN, REASON)],
        [(CaseStatus.INITIAL, ""), (CaseStatus.REJECTED, "Không thuộc thẩm quyền")],
        [(CaseStatus.INITIAL, ""), (CaseStatus.REJECTED, "Hết thời hiệu"), (CaseStatus.CLOSED, "")],
    ],
    ids=["withdrawn", "rejected", "closed"],
)
def test_closed_cases_are_never_alerted(cast, path) -> None:
    case = _complaint(cast)
    for to, reason in path:
        services.case_transition(
            case=case, to=to, actor=cast.department, reason=reason, on=D(2026, 3, 5)
        )
    for day in (FIVE_AHEAD, ONE_AHEAD, LATE, D(2026, 6, 1)):
        assert deadline_scan(day=day).total == 0
    assert _sent() == set()


def test_a_suspended_case_has_no_due_date_and_is_not_alerted(cast) -> None:
    suspended, running = _complaint(cast), _complaint(cast)
    for case in (suspended, running):
        for to, on in [
            (CaseStatus.INITIAL, RECEIVED),
            (CaseStatus.ACCEPTED, D(2026, 3, 3)),
            (CaseStatus.VERIFYING, D(2026, 3, 4)),
        ]:
            services.case_transition(case=case, to=to, actor=cast.department, on=on)
    services.case_transition(
        case=suspended,
        to=CaseStatus.SUSPENDED,
        actor=cast.department,
        reason="Chờ kết quả giám định",
        on=D(2026, 3, 5),
    )
    assert suspended.deadlines.get(stage=Stage.RESOLUTION).due_on is None
    # The running one: 30 days from Tue 03/03 → Thu 02/04; long overdue on 01/06.
    running_deadline = running.deadlines.get(stage=Stage.RESOLUTION)
    assert running_deadline.due_on == D(2026, 4, 2)
    result = deadline_scan(day=D(2026, 6, 1))
    assert result.alerts[OVERDUE] == 1
    assert {(d, level) for _, d, level in _sent()} == {(running_deadline.pk, OVERDUE)}


def test_email_copies_go_to_the_outbox_for_users_with_an_address(cast, settings) -> None:
    settings.CASE_ALERT_EMAIL = True
    cast.unit_x_officer.email = "antt.x@benhvien.example.vn"
    cast.unit_x_officer.save(update_fields=["email"])
    cast.ward_a_officer.email = "ca.hoankiem@congan.example.vn"
    cast.ward_a_officer.save(update_fields=["email"])
    case = _complaint(cast)
    deadline_scan(day=LATE)
    assert Notification.objects.count() == 3
    messages = list(OutboxMessage.objects.all())
    assert sorted(decrypt(m.recipient_enc) for m in messages) == [
        "antt.x@benhvien.example.vn",
        "ca.hoankiem@congan.example.vn",
    ]
    assert {(m.channel, m.object_type) for m in messages} == {("email", "core.notification")}
    assert {_about(m.object_id) for m in messages} == {(_acceptance(case).pk, OVERDUE)}
    assert all(m.body.startswith(f"Quá hạn thụ lý (xử lý ban đầu): {case.code}") for m in messages)


def test_no_email_copy_when_alert_emails_are_off(cast, settings) -> None:
    settings.CASE_ALERT_EMAIL = False
    cast.unit_x_officer.email = "antt.x@benhvien.example.vn"
    cast.unit_x_officer.save(update_fields=["email"])
    _complaint(cast)
    deadline_scan(day=LATE)
    assert Notification.objects.count() == 3
    assert not OutboxMessage.objects.exists()


def test_an_extended_deadline_is_reminded_again_before_its_new_date(cast) -> None:
    case = services.case_register(
        actor=cast.department,
        kind=CaseKind.DENUNCIATION,
        subject="Tố cáo cán bộ bảo vệ",
        content="Nội dung đơn.",
        channel=CaseChannel.DIRECT,
        received_on=RECEIVED,
        unit=cast.unit_x,
        handler=cast.unit_x_officer,
        complexity="very_complex",
        sealed=services.SealedInput(name="Phạm Văn Tố"),
    )
    for to, on in [
        (CaseStatus.INITIAL, RECEIVED),
        (CaseStatus.ACCEPTED, RECEIVED),
        (CaseStatus.VERIFYING, D(2026, 3, 3)),
    ]:
        services.case_transition(case=case, to=to, actor=cast.department, on=on)
    resolution = case.deadlines.get(stage=Stage.RESOLUTION)
    # Luật Tố cáo Điều 30: 30 days from Mon 02/03 → Wed 01/04. On Wed 25/03, 5 working days
    # ahead is Wed 01/04 (26, 27, 30, 31/03, 01/04).
    assert resolution.due_on == D(2026, 4, 1)
    deadline_scan(day=D(2026, 3, 25))
    reminded = (cast.unit_x_officer.pk, resolution.pk, "before_5")
    assert [n for n in _notes() if n == reminded] == [reminded]
    services.case_transition(
        case=case,
        to=CaseStatus.EXTENDED,
        actor=cast.department,
        reason="Vụ việc đặc biệt phức tạp",
        on=D(2026, 3, 26),
    )
    # Extended by 30 days: 60 days → Fri 01/05 (off) → Mon 04/05. On Mon 27/04 (Giỗ Tổ
    # observed), 5 working days ahead is Wed 06/05 (28, 29/04, 04, 05, 06/05).
    resolution.refresh_from_db()
    assert resolution.due_on == D(2026, 5, 4)
    deadline_scan(day=D(2026, 4, 27))
    assert [n for n in _notes() if n == reminded] == [reminded, reminded]


def test_a_backlog_reaches_each_user_as_one_digest(cast) -> None:
    """More than DIGEST_AFTER deadlines of one level for one user in one scan: one digest
    with the codes and a link to the board, not one notification per case."""
    cases = [_complaint(cast) for _ in range(reminders.DIGEST_AFTER + 2)]
    result = deadline_scan(day=LATE)
    assert result.alerts[OVERDUE] == len(cases)
    # The handler, the unit's head and the ward's officer: one digest each.
    assert Notification.objects.count() == 3
    notes = Notification.objects.filter(user=cast.unit_x_officer)
    (digest,) = notes
    assert digest.title == f"{len(cases)} thời hạn giải quyết khiếu nại, tố cáo đã quá hạn"
    assert cases[0].code in digest.body and digest.url == "/khieu-nai-to-cao/qua-han/"
    assert digest.urgent
    # The same scan again: nothing new, not even a second digest.
    assert deadline_scan(day=LATE).notifications == 0
    assert Notification.objects.count() == 3
