from __future__ import annotations

from antq.registry import services
from antq.registry.models import Unit
from tests.factories import make_tip


def test_the_dashboard_counts_only_what_the_user_may_see(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_y.pk).update(status="closed")
    services.unit_update(actor=cast.department, unit=cast.unit_x, data={"headcount": 3})
    client.force_login(cast.ward_a_officer)
    context = client.get("/").context
    assert (context["unit_active"], context["unit_closed"], context["change_count"]) == (1, 0, 1)
    assert context["ward_total"] == 1
    client.force_login(cast.leader)
    context = client.get("/").context
    assert (context["unit_active"], context["unit_closed"]) == (1, 1)


def test_the_dashboard_of_another_ward_shows_no_foreign_change(client, cast) -> None:
    services.unit_update(actor=cast.department, unit=cast.unit_x, data={"headcount": 3})
    client.force_login(cast.ward_b_officer)
    response = client.get("/")
    assert response.context["change_count"] == 0
    assert cast.unit_x.name not in response.content.decode()


def test_the_health_check_answers_without_a_login(client, db) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_the_liveness_probe_answers_without_a_login_or_a_query(
    client, db, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert (response.status_code, response.content) == (200, b"ok")


def test_the_dashboard_counts_the_tips_waiting_in_each_box(client, cast) -> None:
    make_tip(ward=cast.ward_a)
    make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    boxes = {box: count for box, _label, count, _capped in client.get("/").context["tip_boxes"]}
    assert boxes == {"mine": 0, "unassigned": 1, "due_soon": 0, "overdue": 0}


def test_a_leader_sees_only_the_deadline_boxes(client, cast) -> None:
    client.force_login(cast.leader)
    boxes = [box for box, *_rest in client.get("/").context["tip_boxes"]]
    assert boxes == ["due_soon", "overdue"]
