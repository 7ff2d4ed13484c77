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

import dataclasses
import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
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
# A user reached by more deadlines of one level in one scan gets one digest instead.
DIGEST_AFTER = 5
DIGEST_CODES = 10
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
    """Insert the alerts of one level not sent yet, in one statement (the candidates never
    leave the database, however many); returns how many this run claimed.

    ``ON CONFLICT DO NOTHING`` on the unique (deadline, level, due date) is what makes two
    scans at once send each alert once: the second insert of a row is skipped, and each run
    notifies only the rows tagged with its own ``run``.
    """
    ops = connection.ops
    deadlines = ops.quote_name(CaseDeadline._meta.db_table)
    alerts = ops.quote_name(DeadlineAlert._meta.db_table)
    params: list[Any] = [
        window.level,
        run,
        ops.adapt_datetimefield_value(timezone.now()),
        ops.adapt_datefield_value(window.last),
    ]
    lower = ""
    if window.first is not None:
        lower = "AND d.due_on >= %s "
        params.append(ops.adapt_datefield_value(window.first))
    params.append(window.level)
    # Table names come from the models, values are parameters. (SQLite needs the WHERE of
    # the SELECT to parse ON CONFLICT after it: there is one.)
    sql = (
        f"INSERT INTO {alerts} (deadline_id, level, due_on, run, created_at) "  # noqa: S608
        f"SELECT d.id, %s, d.due_on, %s, %s FROM {deadlines} d "
        f"WHERE d.met_on IS NULL AND d.due_on IS NOT NULL AND d.due_on <= %s {lower}"
        f"AND NOT EXISTS (SELECT 1 FROM {alerts} a "
        "WHERE a.deadline_id = d.id AND a.level = %s AND a.due_on = d.due_on) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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

    def of(self, row: Mapping[str, Any], *, overdue: bool) -> list[int]:
        owner = row["case__handler_id"] or row["case__created_by_id"]
        users = [owner] if owner else []
        if overdue:
            if row["case__unit_id"]:
                users += self.heads.get(row["case__unit_id"], [])
            users += self.ward_officers(row["case__ward_id"])
        return sorted(set(users))


def _stage_text(stage: str) -> str:
    label = str(Stage(stage).label)
    return label[:1].lower() + label[1:]


def _message(row: Mapping[str, Any], level: str, day: dt.date) -> NewNotification:
    """One deadline's own notification (without its recipient)."""
    stage = _stage_text(row["stage"])
    due = day_text(row["due_on"])
    if level == OVERDUE:
        title = _("Quá hạn %(stage)s: %(code)s") % {"stage": stage, "code": row["case__code"]}
        body = _("Hạn %(stage)s là %(due)s, đã quá %(late)s ngày. %(subject)s") % {
            "stage": stage,
            "due": due,
            "late": (day - row["due_on"]).days,
            "subject": row["case__subject"],
        }
    else:
        title = _("Sắp đến hạn %(stage)s: %(code)s") % {"stage": stage, "code": row["case__code"]}
        body = _("Hạn %(stage)s là %(due)s. %(subject)s") % {
            "stage": stage,
            "due": due,
            "subject": row["case__subject"],
        }
    return NewNotification(
        user_id=0,
        key=f"case-deadline:{row['id']}:{level}:{row['due_on']:%Y%m%d}",
        title=title[:300],
        body=body,
        url=reverse("cases:case_detail", args=[row["case_id"]]),
        urgent=level == OVERDUE,
    )


def _digest(rows: list[Mapping[str, Any]], level: str, run: str) -> NewNotification:
    """One notification for the many deadlines of a level that reach one user in a scan: a
    backlog must not bury the inbox (or the mailbox) under one message per case."""
    codes = ", ".join(r["case__code"] for r in rows[:DIGEST_CODES])
    more = len(rows) - DIGEST_CODES
    if more > 0:
        codes += " " + _("và %(n)s vụ việc khác") % {"n": more}
    if level == OVERDUE:
        title = _("%(n)s thời hạn giải quyết khiếu nại, tố cáo đã quá hạn") % {"n": len(rows)}
        url = reverse("cases:overdue_board")
    else:
        title = _("%(n)s thời hạn khiếu nại, tố cáo sắp đến") % {"n": len(rows)}
        url = reverse("cases:case_list") + "?status=due_soon"
    return NewNotification(
        user_id=0,
        key=f"case-digest:{level}:{run}",
        title=title,
        body=codes,
        url=url,
        urgent=level == OVERDUE,
    )


def _notify(run: str, level: str, day: dt.date, recipients: _Recipients) -> int:
    """The notifications of the alerts this run claimed at one level: each user gets one per
    deadline, or a single digest when more than ``DIGEST_AFTER`` reach him at once."""
    rows = (
        CaseDeadline.objects.filter(alerts__run=run, alerts__level=level)
        .order_by()
        .values(
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
        .iterator(chunk_size=BATCH)
    )
    by_user: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        for user_id in recipients.of(row, overdue=level == OVERDUE):
            by_user[user_id].append(row)
    batch: list[NewNotification] = []
    for user_id, mine in sorted(by_user.items()):
        mine.sort(key=lambda r: (r["due_on"], r["case__code"]))
        if len(mine) > DIGEST_AFTER:
            notes = [_digest(mine, level, run)]
        else:
            notes = [_message(r, level, day) for r in mine]
        batch += [dataclasses.replace(n, user_id=user_id) for n in notes]
    return notify_many(batch, email=settings.CASE_ALERT_EMAIL)


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
