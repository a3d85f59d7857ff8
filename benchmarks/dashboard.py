"""A program's dashboard at 10,000 participants and 100,000 meetings, end to end (issue 7).

Builds one evergreen one-to-one program that has run for a year: 4,000 mentors and 6,000
mentees (12 departments, 8 locations, levels 1-9, registrations spread over 12 months),
5,000 published pairs (most active, some completed or ended early), 100,000 meetings (mostly
held, some cancelled, a few booked ahead), about 60,000 meeting ratings, about 8,000 goals,
6,000 answered surveys against the program's survey definitions, 200 rematch requests, two
objectives with five automatic key results, and a directory of 20,000 people with 2,000
promotions and exits. Then times, as a signed-in organisation admin through Django's test
client (session, middleware, every figure, the OKRs, the outcome comparison, the template):

- the dashboard page (`reports:dashboard`), warmed once, the best of seven views (the machines
  are shared: the fastest view is the one least disturbed by other jobs; the median is printed
  too);
- the figures alone (`program_dashboard`), the same way;
- the queries one page view makes (they must not grow with the data);
- the XLSX export of every table (`reports:export` all.xlsx), warmed once, the best of seven.

Run: .venv/bin/python benchmarks/dashboard.py              (SQLite, a fresh file)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/dashboard.py
"""

import datetime
import random
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal

from _django import report, setup_django

PEOPLE = 20_000
MENTORS = 4_000
MENTEES = 6_000
PAIRS = 5_000
MEETINGS = 100_000
UPCOMING = 3_000  # of the meetings: booked in the next four weeks
RATED_BY_MENTEE, RATED_BY_MENTOR = 0.40, 0.265  # of the held meetings: about 60,000 ratings
FIT_PAIRS, MIDPOINT_PAIRS = 750, 2_250  # answered by both sides: 6,000 answered surveys
REMATCH_REQUESTS = 200
PROMOTIONS, EXITS = 1_400, 600
RUNS = 7
PAGE_TARGET = 0.5  # seconds
EXPORT_TARGET = 2.0  # seconds
QUERY_TARGET = 100  # a fixed handful per figure; far fewer than this unless one grows with data
BATCH = 2_000

ZONES = [
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
]
# Department sizes: a few large ones and a long tail; one more holds only SMALL_DEPARTMENT, too
# few people to show on their own (the breakdown pools them).
DEPARTMENT_WEIGHTS = [20, 18, 15, 12, 10, 8, 6, 4, 3, 2, 1]
SMALL_DEPARTMENT = (17, MENTORS + 17, MENTORS + 3_017, PEOPLE - 1)
FREQUENCIES = ["Every two weeks or more", "About monthly", "Less than monthly", "We have not met"]
SURVEYS = [
    {
        "kind": "first_meeting_fit",
        "title": "After your first meeting",
        "questions": [
            {
                "key": "fit",
                "kind": "scale",
                "label": "How good a fit is your match?",
                "scale": {"min": 1, "max": 4, "min_label": "Poor fit", "max_label": "Great fit"},
            },
            {
                "key": "continue",
                "kind": "yes_no",
                "label": "Would you like to continue with this match?",
            },
        ],
    },
    {
        "kind": "midpoint",
        "title": "Halfway check-in",
        "questions": [
            {
                "key": "satisfaction",
                "kind": "scale",
                "label": "How satisfied are you with your mentoring so far?",
                "scale": {"min": 1, "max": 5},
            },
            {
                "key": "learning",
                "kind": "scale",
                "label": "How much progress have you made towards your goals?",
                "scale": {"min": 1, "max": 5},
            },
            {
                "key": "on_track",
                "kind": "yes_no",
                "label": "Are you on track to reach the goals you set?",
            },
            {
                "key": "meeting_frequency",
                "kind": "single_choice",
                "label": "How often have you met?",
                "choices": FREQUENCIES,
            },
            {
                "key": "comment",
                "kind": "long_text",
                "label": "Anything the program team should know?",
                "required": False,
            },
        ],
    },
]
SURVEY_QUESTIONS = {s["kind"]: s["questions"] for s in SURVEYS}
SURVEY_TITLES = {s["kind"]: s["title"] for s in SURVEYS}


def build(rng: random.Random, now: datetime.datetime):
    """The program and its year of records; returns (program, admin user, counts)."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from trellis.accounts.models import Role as AccountRole
    from trellis.accounts.models import User
    from trellis.enrolment.models import Participant, ParticipantStatus
    from trellis.mentorships.models import (
        Goal,
        GoalStatus,
        Meeting,
        MeetingFeedback,
        MeetingStatus,
        Mentorship,
        MentorshipStatus,
        RematchRequest,
        RematchStatus,
        SurveyResponse,
        SurveyStatus,
    )
    from trellis.people.models import Department, Location, Person
    from trellis.programs.models import (
        Cadence,
        Format,
        KeyResult,
        Metric,
        Objective,
        Program,
        ProgramModel,
        Role,
        Status,
    )
    from trellis.reports.models import Outcome, OutcomeKind, ReportSettings

    today = timezone.localdate(now)

    def day_before(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)

    # --- the directory ------------------------------------------------------------------------
    departments = Department.objects.bulk_create(
        [Department(name=f"Department {k:02d}") for k in range(len(DEPARTMENT_WEIGHTS) + 1)]
    )
    locations = Location.objects.bulk_create(
        [Location(name=f"Office {k}", time_zone=zone) for k, zone in enumerate(ZONES)]
    )
    department_ids, small = [d.pk for d in departments[:-1]], departments[-1].pk
    location_ids = [loc.pk for loc in locations]

    def level(k: int) -> int:
        if k < MENTORS:
            return rng.randint(4, 9)
        if k < MENTORS + MENTEES:
            return rng.randint(1, 6)
        return rng.randint(1, 9)

    people = Person.objects.bulk_create(
        [
            Person(
                employee_id=f"D{k:05d}",
                email=f"d{k}@bench.example",
                first_name=f"First{k}",
                last_name=f"Last{k:05d}",
                title="Manager" if k < MENTORS else "Specialist",
                department_id=small
                if k in SMALL_DEPARTMENT
                else rng.choices(department_ids, DEPARTMENT_WEIGHTS)[0],
                location_id=rng.choice(location_ids),
                level=level(k),
                hire_date=day_before(rng.randint(60, 15 * 365)),
            )
            for k in range(PEOPLE)
        ],
        batch_size=BATCH,
    )
    admin = User.objects.create_user(email="admin@bench.example", role=AccountRole.ADMIN)
    program = Program.objects.create(
        name="Benchmark program",
        slug="benchmark",
        format=Format.ONE_TO_ONE,
        model=ProgramModel.EVERGREEN,
        status=Status.ACTIVE,
        mentor_capacity=2,
        meeting_cadence=Cadence.EVERY_TWO_WEEKS,
        north_star="Everyone who wants to grow has a mentor who helps them take the next step.",
        surveys=SURVEYS,
        created_by=admin,
    )
    ReportSettings.objects.create(program=program, program_cost=Decimal(150_000))
    deadline = today + datetime.timedelta(days=120)
    for position, (title, key_results) in enumerate(
        [
            (
                "Everyone who registers gets a mentor who fits",
                [
                    ("Mentees matched", Metric.MATCH_RATE, 90, "%"),
                    ("Average meeting rating", Metric.AVERAGE_MEETING_RATING, 3.2, "out of 4"),
                ],
            ),
            (
                "Pairs build a relationship that moves careers",
                [
                    (
                        "Meetings per pair per month",
                        Metric.MEETINGS_PER_PAIR_PER_MONTH,
                        2,
                        "meetings",
                    ),
                    ("Mentee goals completed", Metric.GOAL_COMPLETION, 70, "%"),
                    ("Participants promoted within a year", Metric.PROMOTION_RATE, 15, "%"),
                ],
            ),
        ]
    ):
        objective = Objective.objects.create(program=program, title=title, position=position)
        KeyResult.objects.bulk_create(
            [
                KeyResult(
                    objective=objective,
                    title=kr_title,
                    metric=metric,
                    target=target,
                    unit=unit,
                    deadline=deadline,
                    position=n,
                )
                for n, (kr_title, metric, target, unit) in enumerate(key_results)
            ]
        )

    # --- registrations and pairs, planned by index, then written --------------------------------
    # Mentors are people 0..3,999, mentees 4,000..9,999; `applied[k]` is days before today.
    # Mentees register all year; most mentors signed up in the program's first half year.
    def registered(k: int) -> int:
        if k >= MENTORS:
            return rng.randint(1, 365)
        return rng.randint(200, 365) if rng.random() < 0.6 else rng.randint(30, 365)

    applied = [registered(k) for k in range(MENTORS + MENTEES)]
    capacity = [rng.choices([2, 1, None], [70, 10, 20])[0] for _ in range(MENTORS)]
    mentor_order = rng.sample(range(MENTORS), MENTORS)
    roomy = [k for k in range(MENTORS) if capacity[k] != 1]
    paired_mentees = rng.sample(
        [k for k in range(MENTORS, MENTORS + MENTEES) if applied[k] >= 8], PAIRS
    )
    plans = []  # (mentor index, mentee index, status, started_on, ended_on, activity)
    for i, mentee in enumerate(paired_mentees):
        mentor = mentor_order[i] if i < MENTORS else rng.choice(roomy)
        later = min(applied[mentee], applied[mentor])  # days ago: the later registration
        started = min(
            day_before(later) + datetime.timedelta(days=rng.randint(3, 30)),
            today - datetime.timedelta(days=1),
        )
        status, ended = MentorshipStatus.ACTIVE, None
        if (today - started).days > 90 and rng.random() < 0.2:
            status = MentorshipStatus.COMPLETED if rng.random() < 0.65 else MentorshipStatus.ENDED
            ended = min(
                started + datetime.timedelta(days=rng.randint(45, 200)),
                today - datetime.timedelta(days=1),
            )
        # How much the pair meets and how it rates its meetings: most well, some hardly at all.
        activity = rng.choices([0.15, 0.6, 1.0, 1.4], [8, 22, 50, 20])[0]
        plans.append((mentor, mentee, status, started, ended, activity))
    mentee_status = {}
    busy_mentors = set()
    for mentor, mentee, status, *_ in plans:
        if status == MentorshipStatus.ACTIVE:
            busy_mentors.add(mentor)
        mentee_status[mentee] = (
            ParticipantStatus.APPROVED
            if status == MentorshipStatus.ENDED
            else ParticipantStatus.MATCHED
        )

    def status_of(k: int) -> str:
        if k < MENTORS:
            if k in busy_mentors:
                return ParticipantStatus.MATCHED
            return rng.choices(
                [
                    ParticipantStatus.APPROVED,
                    ParticipantStatus.WAITLISTED,
                    ParticipantStatus.WITHDRAWN,
                ],
                [85, 5, 10],
            )[0]
        if k in mentee_status:
            return mentee_status[k]
        return rng.choices(
            [
                ParticipantStatus.APPROVED,
                ParticipantStatus.WAITLISTED,
                ParticipantStatus.APPLIED,
                ParticipantStatus.WITHDRAWN,
                ParticipantStatus.DECLINED,
            ],
            [55, 20, 12, 9, 4],
        )[0]

    participants = Participant.objects.bulk_create(
        [
            Participant(
                program=program,
                person_id=people[k].pk,
                role=Role.MENTOR if k < MENTORS else Role.MENTEE,
                status=status_of(k),
                capacity=capacity[k] if k < MENTORS else None,
                consented_at=now,
            )
            for k in range(MENTORS + MENTEES)
        ],
        batch_size=BATCH,
    )
    # `applied_at` is set on insert whatever the object says: move it back, a day at a time.
    by_day = defaultdict(list)
    for k, participant in enumerate(participants):
        by_day[applied[k]].append(participant.pk)
    for days, pks in by_day.items():
        Participant.objects.filter(pk__in=pks).update(applied_at=at(day_before(days), 9))
    pairs = Mentorship.objects.bulk_create(
        [
            Mentorship(
                program=program,
                mentor_id=participants[mentor].pk,
                mentee_id=participants[mentee].pk,
                status=status,
                score=round(rng.uniform(0.4, 0.95), 3),
                reasons="Skills and goals in common; a different department.",
                started_on=started,
                ended_on=ended,
                end_reason="" if ended is None else "The program's time together is over.",
            )
            for mentor, mentee, status, started, ended, _ in plans
        ],
        batch_size=BATCH,
    )

    # --- meetings and their ratings -------------------------------------------------------------
    spans = [((e or today) - s).days + 1 for _, _, _, s, e, _ in plans]
    chosen = rng.choices(
        range(PAIRS), [spans[i] * plans[i][5] for i in range(PAIRS)], k=MEETINGS - UPCOMING
    )
    active = [i for i in range(PAIRS) if plans[i][2] == MentorshipStatus.ACTIVE]
    meetings = []
    for i in chosen:
        day = plans[i][3] + datetime.timedelta(days=rng.randrange(spans[i]))
        starts = at(day, rng.randint(8, 17), rng.choice([0, 30]))
        if starts > now:
            status = MeetingStatus.SCHEDULED
        else:
            status = rng.choices(
                [MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.SCHEDULED], [93, 5, 2]
            )[0]
        meetings.append((i, starts, status))
    for i in rng.choices(active, k=UPCOMING):
        starts = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(
            hours=rng.randint(2, 28 * 24)
        )
        meetings.append(
            (i, starts, rng.choices([MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED], [95, 5])[0])
        )
    meeting_rows = Meeting.objects.bulk_create(
        [
            Meeting(
                mentorship_id=pairs[i].pk,
                starts_at=starts,
                duration_minutes=rng.choice([30, 45, 60]),
                place="Video call",
                status=status,
                uid=f"bench-{n}@trellis",
                organizer_id=people[plans[i][1]].pk,
            )
            for n, (i, starts, status) in enumerate(meetings)
        ],
        batch_size=BATCH,
    )
    rating_weights = {
        0.15: [30, 40, 25, 5],
        0.6: [5, 15, 50, 30],
        1.0: [2, 6, 42, 50],
        1.4: [1, 4, 35, 60],
    }
    feedback = []
    for row, (i, starts, status) in zip(meeting_rows, meetings, strict=True):
        if status != MeetingStatus.HELD or starts > now - datetime.timedelta(hours=1):
            continue
        mentor, mentee, *_, activity = plans[i]
        for k, chance in ((mentee, RATED_BY_MENTEE), (mentor, RATED_BY_MENTOR)):
            if rng.random() < chance:
                feedback.append(
                    MeetingFeedback(
                        meeting_id=row.pk,
                        mentorship_id=row.mentorship_id,
                        participant_id=participants[k].pk,
                        rating=rng.choices([1, 2, 3, 4], rating_weights[activity])[0],
                    )
                )
    MeetingFeedback.objects.bulk_create(feedback, batch_size=BATCH)
    # Each rating was given within a couple of days of its meeting.
    MeetingFeedback.objects.update(
        created_at=Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("starts_at"))
        + datetime.timedelta(hours=20)
    )

    # --- goals, surveys, rematch requests -------------------------------------------------------
    goals = []
    for i, pair in enumerate(pairs):
        for g in range(rng.choices([0, 1, 2, 3], [15, 30, 40, 15])[0]):
            status = rng.choices(
                [GoalStatus.ACTIVE, GoalStatus.ACHIEVED, GoalStatus.DROPPED], [55, 35, 10]
            )[0]
            goals.append(
                Goal(
                    mentorship_id=pair.pk,
                    title=f"Goal {g + 1}",
                    status=status,
                    progress=100 if status == GoalStatus.ACHIEVED else rng.randint(0, 90),
                    target_date=plans[i][3] + datetime.timedelta(days=180),
                )
            )
    Goal.objects.bulk_create(goals, batch_size=BATCH)

    def answers(kind: str) -> dict:
        if kind == "first_meeting_fit":
            return {
                "fit": rng.choices([1, 2, 3, 4], [5, 10, 45, 40])[0],
                "continue": rng.random() > 0.07,
            }
        out = {
            "satisfaction": rng.choices([1, 2, 3, 4, 5], [3, 7, 20, 40, 30])[0],
            "learning": rng.choices([1, 2, 3, 4, 5], [5, 10, 30, 35, 20])[0],
            "on_track": rng.random() < 0.7,
            "meeting_frequency": rng.choices(FREQUENCIES, [45, 35, 15, 5])[0],
        }
        if rng.random() < 0.3:
            out["comment"] = "More time for the meetings would help."
        return out

    surveys = []

    def survey(i: int, k: int, kind: str, sent_after: int, status: str) -> None:
        sent = at(plans[i][3] + datetime.timedelta(days=sent_after), 7)
        surveys.append(
            SurveyResponse(
                mentorship_id=pairs[i].pk,
                participant_id=participants[k].pk,
                kind=kind,
                title=SURVEY_TITLES[kind],
                questions=SURVEY_QUESTIONS[kind],
                answers=answers(kind) if status == SurveyStatus.ANSWERED else {},
                status=status,
                sent_at=sent,
                closes_at=sent + datetime.timedelta(days=14),
                answered_at=sent + datetime.timedelta(days=rng.randint(0, 6), hours=3)
                if status == SurveyStatus.ANSWERED
                else None,
            )
        )

    fit = [i for i in range(PAIRS) if (today - plans[i][3]).days > 30]
    for i in rng.sample(fit, FIT_PAIRS):
        for k in plans[i][:2]:
            survey(i, k, "first_meeting_fit", 14, SurveyStatus.ANSWERED)
    halfway = [i for i in range(PAIRS) if (today - plans[i][3]).days > 80]
    picked = rng.sample(halfway, MIDPOINT_PAIRS + 800)
    for n, i in enumerate(picked):
        if n < MIDPOINT_PAIRS:
            for k in plans[i][:2]:
                survey(i, k, "midpoint", 60, SurveyStatus.ANSWERED)
        else:  # sent, not (or not yet) answered
            status = SurveyStatus.OPEN if n % 2 else SurveyStatus.CLOSED
            survey(i, plans[i][1], "midpoint", 60, status)
    SurveyResponse.objects.bulk_create(surveys, batch_size=BATCH)
    requests = []
    for n, i in enumerate(rng.sample(active, REMATCH_REQUESTS)):
        dismissed = n % 5 == 0
        requests.append(
            RematchRequest(
                mentorship_id=pairs[i].pk,
                requested_by_id=participants[plans[i][1] if n % 3 else plans[i][0]].pk,
                reason="We have not found a rhythm that works for both of us.",
                status=RematchStatus.DISMISSED if dismissed else RematchStatus.OPEN,
                resolved_at=now if dismissed else None,
                resolved_by=admin if dismissed else None,
            )
        )
    RematchRequest.objects.bulk_create(requests, batch_size=BATCH)

    # --- HR outcomes across the directory -------------------------------------------------------
    moved = rng.sample(range(PEOPLE), PROMOTIONS + EXITS)
    outcomes = [
        Outcome(
            person_id=people[k].pk,
            kind=OutcomeKind.PROMOTION if n < PROMOTIONS else OutcomeKind.EXIT,
            occurred_on=day_before(rng.randint(1, 380)),
            new_level=min(9, people[k].level + 1) if n < PROMOTIONS else None,
        )
        for n, k in enumerate(moved)
    ]
    Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
    Person.objects.filter(pk__in=[people[k].pk for k in moved[PROMOTIONS:]]).update(is_active=False)
    counts = {
        "people": PEOPLE,
        "participants": len(participants),
        "pairs": len(pairs),
        "meetings": len(meeting_rows),
        "ratings": len(feedback),
        "goals": len(goals),
        "answered surveys": sum(s.status == SurveyStatus.ANSWERED for s in surveys),
        "rematch requests": len(requests),
        "outcomes": len(outcomes),
    }
    return program, admin, counts


def timed(run, runs: int = RUNS) -> list[float]:
    """Seconds for each of `runs` calls, after one warm-up call."""
    run()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> int:
    setup_django()
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from trellis.reports.exports import XLSX_TYPE
    from trellis.reports.figures import program_dashboard

    vendor = connection.vendor
    start = time.perf_counter()
    program, admin, counts = build(random.Random(7), timezone.now())
    if vendor == "postgresql":
        # A live database has planner statistics (autovacuum analyses tables after bulk
        # loads); one loaded a moment ago has none, and would be timed on blind plans. SQLite
        # is left as Trellis leaves it in production: no ANALYZE is ever run there.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    built = time.perf_counter() - start
    print(
        f"# built in {built:.1f} s on {vendor}: "
        + ", ".join(f"{n:,} {k}" for k, n in counts.items())
    )

    client = Client()
    client.force_login(admin)
    page_url = reverse("reports:dashboard", args=[program.slug])
    export_url = reverse("reports:export", args=[program.slug, "all", "xlsx"])
    failures = []

    def get(url: str, content_type: str):
        def run():
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith(content_type):
                failures.append(f"{url}: {response.status_code} {response['Content-Type']}")
            return response

        return run

    # The test settings allow no host (DEBUG off): let the test client's "testserver" in.
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        page = timed(get(page_url, "text/html"))
        # Counted by a wrapper (the request resets Django's own query log), on this connection
        # and on any the page opens (on PostgreSQL it reads part of its figures on a second).
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        def count_on(sender, connection, **kwargs):
            connection.execute_wrappers.append(count)

        connection_created.connect(count_on)
        try:
            with connection.execute_wrapper(count):
                html = get(page_url, "text/html")().content.decode()
        finally:
            connection_created.disconnect(count_on)
        exports = timed(get(export_url, XLSX_TYPE))
    figures = timed(lambda: program_dashboard(program))
    d = program_dashboard(program)

    suffix = f"10000_participants_100000_meetings_{vendor}"
    ok = all(
        [
            report(f"dashboard_render_{suffix}", min(page), "s", PAGE_TARGET),
            report(f"dashboard_figures_{suffix}", min(figures), "s", PAGE_TARGET),
            report(f"dashboard_queries_{suffix}", len(queries), "queries", QUERY_TARGET),
            report(f"dashboard_export_xlsx_{suffix}", min(exports), "s", EXPORT_TARGET),
        ]
    )
    for name, seconds in (("page", page), ("figures", figures), ("export", exports)):
        print(
            f"# {name} runs: "
            + " ".join(f"{s:.3f}" for s in seconds)
            + f" s (median {statistics.median(seconds):.3f})"
        )
    print(
        f"# dashboard: match rate {d.match['rate']} %, {d.pairs['published']} published pairs, "
        f"{d.meetings['held_total']} meetings held, {d.meetings['per_pair_per_month']} per pair "
        f"per month, {d.ratings['count']} ratings averaging {d.ratings['average']}, "
        f"{d.at_risk['count']} of {d.at_risk['active']} active pairs at risk, "
        f"{sum(s['responses'] for s in d.surveys)} survey answers, page {len(html) // 1024} KiB"
    )
    expected = ["Halfway check-in", "Pairs build a relationship", "Other groups"]
    failures += [f"the page does not show {text!r}" for text in expected if text not in html]
    for failure in failures[:5]:
        print(f"# FAILED: {failure}")
    return 0 if ok and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
