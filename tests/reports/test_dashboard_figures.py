"""Every dashboard figure against what the small program's records give by hand
(conftest.small_program lists them)."""

import pytest

from tests.reports.conftest import NOW
from trellis.programs.metrics import measure
from trellis.programs.models import Metric
from trellis.reports.figures import dashboard_measurements, pool_small_groups, program_dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(small_program):
    return program_dashboard(small_program, now=NOW)


def test_registrations_by_month_and_role(d):
    assert [s.label for s in d.charts["registrations"].series] == ["Mentees", "Mentors"]
    by_month = d.registrations["by_month"]
    # Months charted: April (the first registration) to June (now).
    assert d.charts["registrations"].labels == ["Apr 2026", "May 2026", "Jun 2026"]
    assert by_month["mentor"] == {"new": [4, 0, 0], "cumulative": [4, 4, 4]}
    assert by_month["mentee"] == {"new": [2, 2, 3], "cumulative": [2, 4, 7]}
    assert d.registrations["total"] == 11


def test_mentor_to_mentee_ratio_and_waitlist(d):
    r = d.ratio
    # 4 active mentors; 6 active mentees (L1 withdrew). Places: M1 chose 2, the three
    # others take the program's default of 2.
    assert (r["mentors"], r["mentees"], r["mentor_places"]) == (4, 6, 8)
    assert r["mentees_per_mentor"] == 1.5
    assert r["places_per_mentee"] == 1.33
    assert r["waitlisted"] == 1 and r["waitlist_by_role"]["mentee"] == 1


def test_match_rate_and_time_to_match(d):
    m = d.match
    assert (m["matched"], m["active"], m["rate"]) == (4, 6, 66.7)
    # Days from registering to the first published pair: E1 8, E2 19, E3 5, S1 27 (the
    # declined proposal to S2 does not count).
    assert m["time_to_match_count"] == 4
    assert m["time_to_match_median"] == 13.5
    assert m["time_to_match_mean"] == 14.8


def test_pairs(d):
    assert d.pairs["active"] == 3
    assert d.pairs["published"] == 4  # three active, one ended early
    assert d.pairs["by_status"]["declined"] == 1


def test_meetings_per_pair_per_month_against_the_cadence(d):
    m = d.meetings
    # Held: April 1 (P1); May 3 (P1, P2, P3; P1's cancelled one not); June 3 (P1 on the
    # 10th, P4 on the 12th, P3's booked meeting of the 14th now past). P1's meeting of the
    # 20th is to come.
    assert m["held_by_month"] == [1, 3, 3]
    # Pair-days: April P1 11 of 30; May P1 31 + P2 31 + P3 22 of 31; June (to the 15th)
    # P1 15 + P3 15 + P4 15 of 30.
    assert m["pairs_live"] == [round(11 / 30, 2), round(84 / 31, 2), 1.5]
    assert m["per_pair_by_month"] == [round(30 / 11, 2), round(3 * 31 / 84, 2), 2.0]
    assert m["per_pair_per_month"] == round(7 / (11 / 30 + 84 / 31 + 1.5), 2)
    assert m["expected"] == 1.0  # monthly
    assert d.charts["meetings"].target == 1.0


def test_meeting_rating_distribution_and_trend(d):
    r = d.ratings
    # April: E1 4, M1 3. May: E1 2, E2 3, M2 3. June: E1 3, M1 4, S1 3, E3 4, M2 4.
    assert (r["count"], r["raters"]) == (10, 6)
    assert r["distribution"] == [0, 1, 5, 4]
    assert r["average"] == 3.3
    # A month's average shows only when at least five people rated in it.
    assert r["by_month"] == [None, None, 3.6]
    assert r["count_by_month"] == [2, 3, 5]


def test_ratings_of_fewer_than_five_people_are_hidden(small_program):
    from trellis.mentorships.models import MeetingFeedback

    MeetingFeedback.objects.filter(participant__person__first_name__in=["S1", "M2"]).delete()
    r = program_dashboard(small_program, now=NOW).ratings
    assert (r["count"], r["raters"], r["hidden"]) == (7, 4, True)
    assert r["average"] is None and r["distribution"] == [None] * 4


def test_survey_results_per_question(d):
    (survey,) = d.surveys
    assert (survey["title"], survey["responses"]) == ("Halfway check-in", 5)  # open one not
    satisfaction, keep, frequency, comment = survey["questions"]
    # 4, 5, 2, 3, 5
    assert satisfaction["answers"] == 5 and satisfaction["mean"] == 3.8
    assert satisfaction["distribution"] == [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2)]
    assert (keep["yes"], keep["answers"], keep["yes_share"]) == (4, 5, 80.0)
    assert frequency["distribution"] == [("Weekly", 3), ("Monthly", 1), ("Rarely", 1)]
    assert (comment["kind"], comment["answers"]) == ("text", 2)  # counted, never shown
    assert ["Halfway check-in", "How satisfied are you?", 5, "3.8 on 1-5"] in (
        d.tables["surveys"].rows
    )


def test_a_question_answered_by_fewer_than_five_is_hidden(small_program):
    from trellis.mentorships.models import SurveyResponse

    SurveyResponse.objects.filter(participant__person__first_name="M4").delete()
    (survey,) = program_dashboard(small_program, now=NOW).surveys
    satisfaction = survey["questions"][0]
    assert (satisfaction["answers"], satisfaction["suppressed"]) == (4, True)
    row = ["Halfway check-in", "How satisfied are you?", 4, "hidden: fewer than 5 answers"]
    assert row in program_dashboard(small_program, now=NOW).tables["surveys"].rows


def test_written_answers_stay_hidden_when_a_question_becomes_a_choice(small_program):
    surveys = small_program.surveys
    comment = surveys[0]["questions"][3]
    comment.update(kind="single_choice", choices=["Great", "Fine"])
    small_program.surveys = surveys
    small_program.save()
    (survey,) = program_dashboard(small_program, now=NOW).surveys
    # The answers were given to a written question (their stored copy says so): counted only.
    assert survey["questions"][3] == {
        "key": "comment",
        "label": "Anything else?",
        "kind": "text",
        "answers": 2,
        "suppressed": False,
    }


def test_goal_completion(d):
    g = d.goals
    assert (g["total"], g["achieved"], g["active"], g["dropped"]) == (4, 1, 2, 1)
    assert g["completion"] == 25.0
    assert g["progress"] == 50  # of the goals in progress: 40 and 60
    assert g["pairs"] == 2


def test_pairs_at_risk(d):
    # P1 and P3 met this month and rate 3 and 4; P4 is two weeks old but asked for a new
    # match. The ended and declined pairs are not running.
    assert (d.at_risk["count"], d.at_risk["active"], d.at_risk["rate"]) == (1, 3, 33.3)
    assert d.at_risk["reasons"] == {"Asked for a new match": 1}


def test_rematch_rate(d):
    # Asked on P4 (open) and on P2 (dismissed), out of 4 published pairs.
    assert (d.rematch["asked"], d.rematch["pairs"], d.rematch["rate"]) == (2, 4, 50.0)
    assert d.rematch["open"] == 1


def test_breakdown_by_location_pools_groups_under_five(d):
    b = d.breakdowns["location"]
    london, other = b.rows
    assert london == {
        "label": "London",
        "people": 5,
        "mentors": 2,
        "mentees": 3,
        "matched": 3,
        "match_rate": 100.0,
        # E1, M1, E2, M2 and E3 rated: five raters, but the other row's only rater (S1)
        # could be read off as total minus London, so London's ratings are hidden too.
        "ratings": None,
        "rating": None,
        "raters": 5,
        "ratings_hidden": True,
        "pooled": False,
        "suppressed": False,
    }
    # Paris (3) and Berlin (2) together: M3, M4, E4, S1, S2.
    assert other["label"] == "Other groups (2, each under 5 people)"
    assert (other["people"], other["mentors"], other["mentees"], other["matched"]) == (5, 2, 3, 1)
    assert (other["match_rate"], other["ratings"], other["rating"]) == (33.3, None, None)
    assert (b.total["people"], b.total["ratings"], b.total["rating"]) == (10, 10, 3.3)


def test_breakdown_pools_the_next_smallest_group_when_the_pool_is_too_small(d):
    # Engineering 7, Sales 3: Sales alone could be read off as total minus Engineering, so
    # Engineering joins the pool and no department is shown on its own.
    b = d.breakdowns["department"]
    (row,) = b.rows
    assert row["label"] == "Other groups (2, pooled to protect small groups)"
    assert row["people"] == 10 and row["pooled"]
    assert (row["ratings"], row["rating"], row["raters"]) == (10, 3.3, 6)
    assert "Engineering" not in str(d.tables["by_department"].rows)
    assert "Sales" not in str(d.tables["by_department"].rows)


def test_breakdown_by_level(d):
    (row,) = d.breakdowns["level"].rows  # levels 2 (4 people), 3 (2) and 6 (4): all pooled
    assert row["label"] == "Other groups (3, each under 5 people)"
    assert row["people"] == 10


def test_no_group_figures_when_everyone_together_is_under_five():
    groups = {
        "A": {
            "people": 2,
            "mentors": 1,
            "mentees": 1,
            "matched": 1,
            "ratings": 2,
            "rating_sum": 7,
            "raters": 2,
        },
        "B": {
            "people": 1,
            "mentors": 0,
            "mentees": 1,
            "matched": 0,
            "ratings": 0,
            "rating_sum": 0,
            "raters": 0,
        },
    }
    b = pool_small_groups("department", groups)
    assert b.rows == [{"label": "Hidden: fewer than 5 people", "suppressed": True}]
    assert b.total == {"label": "All", "suppressed": True}


def test_groups_of_five_or_more_are_shown_alone():
    def group(n):
        return {
            "people": n,
            "mentors": 0,
            "mentees": n,
            "matched": n,
            "ratings": 0,
            "rating_sum": 0,
            "raters": 0,
        }

    b = pool_small_groups("level", {2: group(5), 3: group(9), None: group(6)})
    assert [r["label"] for r in b.rows] == ["Level 3", "Not recorded", "Level 2"]
    assert b.pooled_groups == 0


def test_the_okrs_reuse_exactly_what_the_metrics_would_measure(small_program):
    known = dashboard_measurements(program_dashboard(small_program, now=NOW))
    # Meetings per pair per month depend on "now" (fixed here, the clock's in `measure`).
    for metric in (Metric.MATCH_RATE, Metric.GOAL_COMPLETION, Metric.AVERAGE_MEETING_RATING):
        assert known[metric] == measure(small_program, metric)
    assert known[Metric.MATCH_RATE].value == 66.7
