"""The state machine of cases (``antq.cases.status.MOVES``) through ``case_transition``:
every allowed move succeeds with its event and audit row, every other pair is refused with a
message naming both states, and the conditions the laws put on some moves hold."""

from __future__ import annotations

import datetime as dt
from collections import deque
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from antq.cases import services
from antq.cases.models import Case, CaseEvent
from antq.cases.services import SealedInput
from antq.cases.status import MOVES, CaseChannel, CaseKind, CaseStatus, Complexity, move_to
from antq.core.models import AuditAction, AuditEntry

REASON = "Lý do, căn cứ ghi đầy đủ"
CONCLUSION = "Nội dung tố cáo đúng một phần."


def _paths() -> dict[str, list[str]]:
    """The shortest walk from RECEIVED to every state, along MOVES."""
    paths: dict[str, list[str]] = {CaseStatus.RECEIVED: []}
    queue = deque([CaseStatus.RECEIVED.value])
    while queue:
        status = queue.popleft()
        for move in MOVES[status]:
            if move.to not in paths:
                paths[move.to] = [*paths[status], move.to]
                queue.append(move.to)
    return paths


PATHS = _paths()
ALLOWED = [(src, m.to) for src, moves in MOVES.items() for m in moves]
REFUSED = [(a, b) for a in CaseStatus.values for b in CaseStatus.values if (a, b) not in ALLOWED]
NEEDS_REASON = [(src, m.to) for src, moves in MOVES.items() for m in moves if m.reason_required]


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{a}->{b}" for a, b in pairs]


def _kind_for(src: str, to: str) -> str:
    # A concluded denunciation may not be closed without publication (tested apart); every
    # other move is walked on a very complex denunciation, which may be extended twice.
    if (src, to) == (CaseStatus.HANDLED, CaseStatus.CLOSED):
        return CaseKind.COMPLAINT_FIRST
    return CaseKind.DENUNCIATION


def _register(cast: Any, kind: str = CaseKind.DENUNCIATION, **fields: Any) -> Case:
    if kind == CaseKind.DENUNCIATION:
        fields.setdefault("sealed", SealedInput(name="Trần Thị Tố Giác"))
    fields.setdefault("received_on", services.today() - dt.timedelta(days=20))
    fields.setdefault("unit", cast.unit_x)
    return services.case_register(
        actor=cast.department,
        kind=kind,
        subject="Tố cáo hành vi nhận tiền của cán bộ bảo vệ",
        content="Nội dung đơn.",
        channel=CaseChannel.POST,
        complexity=Complexity.VERY_COMPLEX,
        **fields,
    )


def _walk(case: Case, path: list[str], actor: Any) -> Case:
    for to in path:
        case = services.case_transition(
            case=case, to=to, actor=actor, reason=REASON, conclusion=CONCLUSION
        )
    return case


def _case_at(cast: Any, status: str, kind: str = CaseKind.DENUNCIATION) -> Case:
    case = _walk(_register(cast, kind), PATHS[status], cast.department)
    assert case.status == status
    return case


def _trail(case: Case) -> tuple[int, int, str]:
    fresh = Case.objects.get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    entries = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count()
    return events, entries, fresh.status


def test_every_state_can_be_reached_from_received() -> None:
    assert set(PATHS) == set(CaseStatus.values)


@pytest.mark.parametrize(("src", "to"), ALLOWED, ids=_ids(ALLOWED))
def test_every_allowed_move_succeeds_with_its_event_and_audit_entry(cast, src, to) -> None:
    case = _case_at(cast, src, _kind_for(src, to))
    moved = services.case_transition(
        case=case, to=to, actor=cast.unit_x_officer, reason=REASON, conclusion=CONCLUSION
    )
    assert Case.objects.get(pk=case.pk).status == to == moved.status
    event = CaseEvent.objects.filter(case=case).latest("id")
    move = move_to(src, to)
    assert move is not None
    with translation.override("vi"):
        basis = str(move.basis)
    assert (event.from_status, event.to_status, event.basis, event.actor) == (
        src,
        to,
        basis,
        cast.unit_x_officer,
    )
    assert event.on == services.today()
    entry = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).latest("id")
    assert (entry.action, entry.actor_id, entry.ward_id, entry.unit_id) == (
        AuditAction.TRANSITION,
        cast.unit_x_officer.pk,
        cast.ward_a.pk,
        cast.unit_x.pk,
    )
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == (src, to)
    assert entry.reason.startswith(basis)


@pytest.mark.parametrize("src", CaseStatus.values)
def test_every_other_move_is_refused_naming_both_states(cast, src) -> None:
    # One case per source state; each refused move rolls back, so the case stays there.
    case = _case_at(cast, src)
    before = _trail(case)
    targets = [to for a, to in REFUSED if a == src]
    assert targets, "every state refuses at least itself"
    wrong: dict[str, object] = {}
    for to in targets:
        old, new = CaseStatus(src).label, CaseStatus(to).label
        with translation.override("vi"):
            expected = {"to": [f"Không thể chuyển vụ việc từ “{old}” sang “{new}”."]}
        try:
            services.case_transition(
                case=case, to=to, actor=cast.department, reason=REASON, conclusion=CONCLUSION
            )
        except ValidationError as refused:
            if refused.message_dict != expected:
                wrong[to] = refused.message_dict
        else:
            wrong[to] = "accepted"
        if _trail(case) != before:
            wrong[to] = f"trail changed: {before} -> {_trail(case)}"
            break
    assert wrong == {}


def test_an_unknown_state_is_refused_naming_it(cast) -> None:
    case = _register(cast)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to="archived", actor=cast.department)
    assert refused.value.message_dict == {
        "to": ["Không thể chuyển vụ việc từ “Tiếp nhận” sang “archived”."]
    }


@pytest.mark.parametrize(("src", "to"), NEEDS_REASON, ids=_ids(NEEDS_REASON))
def test_a_move_that_needs_a_reason_is_refused_without_one(cast, src, to) -> None:
    case = _case_at(cast, src)
    before = _trail(case)
    for blank in ("", "   \n "):
        with pytest.raises(ValidationError) as refused:
            services.case_transition(case=case, to=to, actor=cast.department, reason=blank)
        assert refused.value.message_dict == {"reason": ["Hãy ghi lý do, căn cứ của bước này."]}
        assert _trail(case) == before


@pytest.mark.parametrize("blank", ["", "  \t "])
def test_a_conclusion_needs_its_text(cast, blank) -> None:
    case = _case_at(cast, CaseStatus.VERIFYING)
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            case=case, to=CaseStatus.CONCLUDED, actor=cast.department, conclusion=blank
        )
    assert refused.value.message_dict == {"conclusion": ["Hãy ghi nội dung kết luận, quyết định."]}
    assert _trail(case) == before
    services.case_transition(
        case=case, to=CaseStatus.CONCLUDED, actor=cast.department, conclusion=f" {CONCLUSION} "
    )
    case.refresh_from_db()
    assert (case.conclusion, case.concluded_on) == (CONCLUSION, services.today())


def test_a_concluded_denunciation_is_published_before_it_is_closed(cast) -> None:
    # Luật Tố cáo Điều 40.
    case = _case_at(cast, CaseStatus.HANDLED)
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(case=case, to=CaseStatus.CLOSED, actor=cast.department)
    assert refused.value.message_dict == {
        "to": [
            "Kết luận nội dung tố cáo phải được công khai trước khi kết thúc (Luật Tố cáo Điều 40)."
        ]
    }
    assert _trail(case) == before
    services.case_transition(case=case, to=CaseStatus.PUBLISHED, actor=cast.department)
    services.case_transition(case=case, to=CaseStatus.CLOSED, actor=cast.department)
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, services.today())


def test_a_rejected_denunciation_closes_without_publication(cast) -> None:
    case = _case_at(cast, CaseStatus.REJECTED)
    services.case_transition(case=case, to=CaseStatus.CLOSED, actor=cast.department)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_normal_case_is_not_extended(cast) -> None:
    case = _register(cast)
    Case.objects.filter(pk=case.pk).update(complexity=Complexity.NORMAL)
    case = _walk(case, PATHS[CaseStatus.VERIFYING], cast.department)
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            case=case, to=CaseStatus.EXTENDED, actor=cast.department, reason=REASON
        )
    assert "đã gia hạn 0 lần, luật cho phép 0 lần" in refused.value.message_dict["to"][0]
    assert _trail(case) == before


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (dt.timedelta(days=1), "Ngày thực hiện không được sau ngày hôm nay."),
        (dt.timedelta(days=400), "Ngày thực hiện không được sau ngày hôm nay."),
    ],
)
def test_an_act_dated_in_the_future_is_refused(cast, offset, message) -> None:
    case = _register(cast)
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            case=case, to=CaseStatus.INITIAL, actor=cast.department, on=services.today() + offset
        )
    assert refused.value.message_dict == {"on": [message]}
    assert _trail(case) == before


def test_an_act_dated_before_the_petition_was_received_is_refused(cast) -> None:
    case = _register(cast)
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            case=case,
            to=CaseStatus.INITIAL,
            actor=cast.department,
            on=case.received_on - dt.timedelta(days=1),
        )
    assert refused.value.message_dict == {"on": ["Ngày thực hiện không được trước ngày nhận đơn."]}
    assert _trail(case) == before
    services.case_transition(
        case=case, to=CaseStatus.INITIAL, actor=cast.department, on=case.received_on
    )
    assert CaseEvent.objects.filter(case=case).latest("id").on == case.received_on


def test_an_act_dated_before_the_previous_act_is_refused(cast) -> None:
    # Otherwise a suspension could end before it started, and the history run backwards.
    case = _case_at(cast, CaseStatus.VERIFYING)
    today = services.today()
    services.case_transition(
        case=case, to=CaseStatus.SUSPENDED, actor=cast.department, reason=REASON, on=today
    )
    before = _trail(case)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            case=case,
            to=CaseStatus.VERIFYING,
            actor=cast.department,
            reason=REASON,
            on=today - dt.timedelta(days=5),
        )
    assert list(refused.value.message_dict) == ["on"]
    assert f"{today:%d/%m/%Y}" in refused.value.message_dict["on"][0]
    assert _trail(case) == before
    assert list(case.suspensions.values_list("starts_on", "ends_on")) == [(today, None)]
    services.case_transition(
        case=case, to=CaseStatus.VERIFYING, actor=cast.department, reason=REASON, on=today
    )
    assert list(case.suspensions.values_list("starts_on", "ends_on")) == [(today, today)]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("department", True),
        ("ward_a_officer", True),
        ("ward_b_officer", False),
        ("unit_x_officer", True),
        ("unit_x_head", True),
        ("unit_y_officer", False),
        ("leader", False),
    ],
)
def test_who_may_move_a_case_of_unit_x_in_ward_a(cast, role, allowed) -> None:
    case = _register(cast)
    before = _trail(case)
    actor = cast.by_name(role)
    if allowed:
        services.case_transition(case=case, to=CaseStatus.INITIAL, actor=actor)
        assert _trail(case) == (before[0] + 1, before[1] + 1, CaseStatus.INITIAL)
    else:
        with pytest.raises(PermissionDenied):
            services.case_transition(case=case, to=CaseStatus.INITIAL, actor=actor)
        assert _trail(case) == before


def test_a_ward_officer_may_move_a_case_of_his_ward_without_a_unit(cast) -> None:
    case = _register(cast, unit=None, ward_id=cast.ward_b.pk)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to=CaseStatus.INITIAL, actor=cast.ward_a_officer)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to=CaseStatus.INITIAL, actor=cast.unit_y_officer)
    services.case_transition(case=case, to=CaseStatus.INITIAL, actor=cast.ward_b_officer)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INITIAL


def test_final_states_close_every_open_deadline(cast) -> None:
    case = _case_at(cast, CaseStatus.VERIFYING)
    assert case.deadlines.filter(met_on__isnull=True).exists()
    services.case_transition(
        case=case, to=CaseStatus.TERMINATED, actor=cast.department, reason=REASON
    )
    case.refresh_from_db()
    assert not case.deadlines.filter(met_on__isnull=True).exists()
    assert (case.closed_on, case.next_due_on) == (services.today(), None)
