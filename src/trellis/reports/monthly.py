"""The monthly summary: each program's key figures, OKRs and outcomes emailed to the leaders
chosen on its Outcomes page, once per leader and month (a Reminder row per person and key), by
the first `trellis run-schedules` of the month."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from trellis.mentorships.models import Reminder
from trellis.notifications.services import send_templated_email
from trellis.programs.models import Status
from trellis.programs.selectors import program_okrs

from .figures import dashboard_measurements, program_dashboard
from .models import ReportSettings
from .outcomes import compare_outcomes, roi_estimate

log = logging.getLogger(__name__)


def summary_key(program, today: datetime.date) -> str:
    return f"report:{program.pk}:{today:%Y-%m}"


def _summary_context(program, report_settings, *, now, today) -> dict:
    comparison = compare_outcomes(program, today=today)
    dashboard = program_dashboard(program, now=now)
    known = dashboard_measurements(dashboard)
    return {
        "program": program,
        "month": today.strftime("%B %Y"),
        "today": today,
        "d": dashboard,
        "okrs": program_okrs(program, today=today, every_metric=False, known=known),
        "comparison": comparison,
        "roi": roi_estimate(comparison, report_settings),
        "url": django_settings.SITE_URL.rstrip("/")
        + reverse("reports:summary", args=[program.slug]),
    }


def send_monthly_summaries(now: datetime.datetime | None = None) -> int:
    """Email every chosen leader of every program under way (neither draft nor closed) this
    month's summary, figures to date, once.
    Returns the number of emails queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    rows = (
        ReportSettings.objects.filter(leaders__isnull=False)
        .exclude(program__status__in=[Status.DRAFT, Status.CLOSED])
        .select_related("program")
        .prefetch_related("leaders")
        .distinct()
    )
    for report_settings in rows:
        program = report_settings.program
        key = summary_key(program, today)
        leaders = [p for p in report_settings.leaders.all() if p.is_active and p.email]
        done = set(
            Reminder.objects.filter(person__in=leaders, key=key).values_list("person_id", flat=True)
        )
        waiting = [p for p in leaders if p.pk not in done]
        if not waiting:
            continue
        try:
            context = _summary_context(program, report_settings, now=now, today=today)
        except Exception:  # one program's failure must not stop the others, nor the schedule
            log.exception("monthly summary of %s failed", program)
            continue
        for person in waiting:
            try:
                with transaction.atomic():
                    Reminder.objects.create(person=person, key=key)
                    personal = {**context, "first_name": person.first_name}
                    send_templated_email("monthly_summary", person.email, personal)
            except IntegrityError:  # another scheduler sent it a moment ago
                continue
            sent += 1
        log.info("monthly summary of %s sent to %d leader(s)", program, len(waiting))
    return sent
