"""The deadline scan: reminders before a deadline, alerts once it has passed.

Run daily by the worker (``antq cases-scan`` from cron or a timer enqueues it; ``--on`` runs
it for another day, to see what a date will bring). Each (deadline, level) is alerted once:
the scan first claims its alerts by inserting ``DeadlineAlert`` rows tagged with its own run
id, ignoring those another run already holds, then notifies only the rows it claimed — two
workers scanning at once send every reminder exactly once.

The work is a few queries over the partial index of open deadlines by due date, whatever
the number of cases; Python only touches the deadlines that are alerted now.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.cases.calendar import WorkCalendar
from antq.cases.deadlines import add_working_days
from antq.cases.models import CaseDeadline, DeadlineAlert
from antq.cases.services import today, work_calendar
from antq.cases.status import Stage
from antq.core.dates import day_text
from antq.core.notifications import NewNotification, notify_many
from antq.registry.models import AdministrativeArea

logger = logging.getLogger(__name__)

OVERDUE = "overdue"
# Alerts are inserted and notified in slices, so a first scan over a large backlog keeps its
# memory flat.
BATCH = 2000


@dataclass(frozen=True)
class Window:
    level: str
    first: dt.date | None  # inclusive; None = no lower bound
    last: dt.date  # inclusive


@dataclass(frozen=True)
class ScanResult:
    day: dt.date
    alerts: dict[str, int]
    notifications: int

    @property
    def total(self) -> int:
        return sum(self.alerts.values())


def windows(day: dt.date, calendar: WorkCalendar, lead_days: Iterable[int]) -> list[Window]:
    """The due-date ranges of each level on ``day``: overdue (before today), then one range
    per reminder, nearest first. A deadline in the 1-day window gets only that reminder,
    not the 5-day one as well."""
    result = [Window(OVERDUE, None, day - dt.timedelta(days=1))]
    first = day
    for lead in sorted(set(lead_days)):
        last = add_working_days(day, lead, calendar)
        result.append(Window(f"before_{lead}", first, last))
        first = last + dt.timedelta(days=1)
    return result


def _claim(window: Window, run: str) -> int:
    """Insert the alerts of one level not sent yet; returns how many this run claimed."""
    due = {"due_on__lte": window.last}
    if window.first is not None:
        due["due_on__gte"] = window.first
    sent = DeadlineAlert.objects.filter(
        deadline=OuterRef("pk"), level=window.level, due_on=OuterRef("due_on")
    )
    candidates = (
        CaseDeadline.objects.filter(met_on__isnull=True, due_on__isnull=False, **due)
        .exclude(Exists(sent))
        .values_list("id", "due_on")
    )
    rows = list(candidates)
    for start in range(0, len(rows), BATCH):
        DeadlineAlert.objects.bulk_create(
            [
                DeadlineAlert(deadline_id=i, level=window.level, due_on=d, run=run)
                for i, d in rows[start : start + BATCH]
            ],
            ignore_conflicts=True,
        )
    return DeadlineAlert.objects.filter(run=run, level=window.level).count()


class _Recipients:
    """Who hears about a deadline: the handler before it passes; once it has passed, also
    the unit's head and the ward's police officers. Loaded once per scan."""

    def __init__(self) -> None:
        self.heads: dict[int, list[int]] = defaultdict(list)
        for user_id, unit_id in User.objects.filter(
            is_active=True, role=Role.UNIT_HEAD
        ).values_list("id", "unit_id"):
            self.heads[unit_id].append(user_id)
        self._officers = list(
            User.objects.filter(is_active=True, role=Role.WARD_OFFICER).values_list(
                "id", "areas__path"
            )
        )
        self._ward_officers: dict[int, list[int]] = {}

    def ward_officers(self, ward_id: int) -> list[int]:
        if ward_id not in self._ward_officers:
            path = (
                AdministrativeArea.objects.filter(pk=ward_id).values_list("path", flat=True).first()
                or ""
            )
            self._ward_officers[ward_id] = sorted(
                {uid for uid, area in self._officers if area and path.startswith(area)}
            )
        return self._ward_officers[ward_id]

    def of(self, row: dict, *, overdue: bool) -> list[int]:
        owner = row["case__handler_id"] or row["case__created_by_id"]
        users = [owner] if owner else []
        if overdue:
            if row["case__unit_id"]:
                users += self.heads.get(row["case__unit_id"], [])
            users += self.ward_officers(row["case__ward_id"])
        return sorted(set(users))


def _message(row: dict, level: str, day: dt.date) -> tuple[str, str]:
    label = str(Stage(row["stage"]).label)
    stage = label[:1].lower() + label[1:]
    due = day_text(row["due_on"])
    if level == OVERDUE:
        late = (day - row["due_on"]).days
        title = _("Quá hạn %(stage)s: %(code)s") % {"stage": stage, "code": row["case__code"]}
        body = _("Hạn %(stage)s là %(due)s, đã quá %(late)s ngày. %(subject)s") % {
            "stage": stage,
            "due": due,
            "late": late,
            "subject": row["case__subject"],
        }
    else:
        title = _("Sắp đến hạn %(stage)s: %(code)s") % {"stage": stage, "code": row["case__code"]}
        body = _("Hạn %(stage)s là %(due)s. %(subject)s") % {
            "stage": stage,
            "due": due,
            "subject": row["case__subject"],
        }
    return title, body


def _notify(run: str, level: str, day: dt.date, recipients: _Recipients) -> int:
    """The notifications of the alerts this run claimed at one level."""
    claimed = (
        DeadlineAlert.objects.filter(run=run, level=level)
        .order_by("id")
        .values_list("deadline_id", flat=True)
    )
    fields = (
        "id",
        "stage",
        "due_on",
        "case_id",
        "case__code",
        "case__subject",
        "case__handler_id",
        "case__created_by_id",
        "case__unit_id",
        "case__ward_id",
    )
    count = 0
    ids = list(claimed)
    for start in range(0, len(ids), BATCH):
        rows = CaseDeadline.objects.filter(id__in=ids[start : start + BATCH]).values(*fields)
        batch: list[NewNotification] = []
        for row in rows:
            title, body = _message(row, level, day)
            url = reverse("cases:case_detail", args=[row["case_id"]])
            for user_id in recipients.of(row, overdue=level == OVERDUE):
                batch.append(
                    NewNotification(
                        user_id=user_id,
                        key=f"case-deadline:{row['id']}:{level}:{row['due_on']:%Y%m%d}",
                        title=title[:300],
                        body=body,
                        url=url,
                        urgent=level == OVERDUE,
                    )
                )
        count += notify_many(batch, email=settings.CASE_ALERT_EMAIL)
    return count


def deadline_scan(*, day: dt.date | None = None) -> ScanResult:
    """Send the reminders and alerts due on ``day`` (today by default) that were not sent."""
    day = day or today()
    calendar = work_calendar()
    run = secrets.token_hex(16)
    recipients = _Recipients()
    alerts: dict[str, int] = {}
    notifications = 0
    with override(settings.LANGUAGE_CODE):
        for window in windows(day, calendar, settings.CASE_REMIND_DAYS):
            with transaction.atomic():
                alerts[window.level] = _claim(window, run)
                notifications += _notify(run, window.level, day, recipients)
    logger.info(
        "cases: deadline scan of %s: %s alerts, %s notifications", day, alerts, notifications
    )
    return ScanResult(day=day, alerts=alerts, notifications=notifications)


@task()
def deadline_scan_task(day: str = "") -> dict[str, int]:
    result = deadline_scan(day=dt.date.fromisoformat(day) if day else None)
    return {"alerts": result.total, "notifications": result.notifications}
