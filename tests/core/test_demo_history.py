"""The demo's career-mentoring pilot: most of a year of history, so the reports dashboard and
the outcome comparison have something to show."""

import pytest
from django.core import mail

from trellis.core.demo import seed_demo_organisation
from trellis.core.demo_history import seed_reporting_history
from trellis.programs.models import Status
from trellis.reports.figures import program_dashboard
from trellis.reports.outcomes import compare_outcomes

pytestmark = pytest.mark.django_db


def test_the_pilot_has_months_of_meetings_and_ratings_pairs_at_risk_and_outcomes_to_compare():
    seed_demo_organisation()
    pilot = seed_reporting_history()

    assert pilot.status == Status.ACTIVE
    dashboard = program_dashboard(pilot)
    per_pair = dashboard.charts["meetings"].series[0].values
    assert sum(1 for value in per_pair if value) >= 6
    # The six whole months before this one (on the 1st, this month may have no meeting yet).
    assert all(dashboard.meetings["held_by_month"][-7:-1])
    assert all(dashboard.ratings["count_by_month"][-7:-1])
    assert all(average is not None for average in dashboard.ratings["by_month"][-7:-1])
    assert dashboard.at_risk["count"] >= 1
    assert {s["kind"] for s in dashboard.surveys} >= {"first_meeting_fit", "midpoint"}
    comparison = compare_outcomes(pilot)
    assert comparison.has_data, comparison.reason
    assert pilot.report_settings.leaders.count() >= 2
    assert mail.outbox == []
    assert seed_reporting_history() == pilot  # once
