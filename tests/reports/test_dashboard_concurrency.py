"""Outside a transaction the dashboard reads part of its figures on a second database
connection; the figures are the same either way, and inside a transaction (where a second
connection could not see uncommitted rows) it stays on one connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.reports.conftest import NOW, at
from trellis.mentorships.models import MeetingFeedback
from trellis.reports.figures import program_dashboard


def _dashboard(program, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        dashboard = program_dashboard(program, now=NOW, **kwargs)
    return dashboard, len(queries)


@pytest.mark.django_db(transaction=True)
def test_a_second_connection_reads_the_same_figures(small_program):
    # Every rating given late on 31 May (UTC), 1 June in Auckland: the worker must count
    # months in the caller's time zone.
    MeetingFeedback.objects.update(created_at=at("2026-05-31", 22))
    with timezone.override("Pacific/Auckland"):
        one_by_one, alone = _dashboard(small_program, concurrent=False)
        together, here = _dashboard(small_program, concurrent=True)
        decided, decided_here = _dashboard(small_program)
    assert together == one_by_one
    assert decided == one_by_one
    assert together.ratings["count_by_month"][-2:] == [0, 10]  # May, June
    assert together.breakdowns["location"].rows
    # The other connection did part of the reading.
    assert here < alone and decided_here == here


@pytest.mark.django_db
def test_inside_a_transaction_it_stays_on_one_connection(small_program):
    one_by_one, alone = _dashboard(small_program, concurrent=False)
    decided, decided_here = _dashboard(small_program)
    assert decided == one_by_one and decided_here == alone
