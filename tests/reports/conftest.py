"""A small program whose every dashboard figure can be worked out by hand (see the comments
and test_dashboard_figures.py). "Now" is 2026-06-15 12:00 UTC."""

import datetime
import uuid

import pytest

from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    PersonFactory,
    ProgramFactory,
    RegistrationFactory,
)
from trellis.enrolment.models import Participant
from trellis.mentorships.models import (
    Goal,
    Meeting,
    MeetingFeedback,
    Mentorship,
    RematchRequest,
    SurveyResponse,
)
from trellis.programs.models import Role

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)

SURVEYS = [
    {
        "kind": "midpoint",
        "title": "Halfway check-in",
        "questions": [
            {
                "key": "satisfaction",
                "kind": "scale",
                "label": "How satisfied are you?",
                "scale": {"min": 1, "max": 5},
            },
            {"key": "continue", "kind": "yes_no", "label": "Continue?"},
            {
                "key": "frequency",
                "kind": "single_choice",
                "label": "How often do you meet?",
                "choices": ["Weekly", "Monthly", "Rarely"],
            },
            {"key": "comment", "kind": "long_text", "label": "Anything else?"},
        ],
    }
]


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=datetime.UTC)


def register(program, key, role, status, applied, *, department, location, level, capacity=None):
    person = PersonFactory(first_name=key, department=department, location=location, level=level)
    row = RegistrationFactory(
        program=program, person=person, role=role, status=status, capacity=capacity
    )
    Participant.objects.filter(pk=row.pk).update(applied_at=at(applied))
    row.refresh_from_db()
    return row


def pair(program, mentor, mentee, started, *, status="active", ended=None):
    return Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=status,
        started_on=datetime.date.fromisoformat(started),
        ended_on=datetime.date.fromisoformat(ended) if ended else None,
    )


def meeting(mentorship, day, status="held"):
    return Meeting.objects.create(
        mentorship=mentorship, starts_at=at(day), status=status, uid=uuid.uuid4().hex
    )


def rate(meeting_row, participant, rating):
    """A rating given an hour after the meeting began."""
    feedback = MeetingFeedback.objects.create(
        meeting=meeting_row, participant=participant, rating=rating
    )
    given = meeting_row.starts_at + datetime.timedelta(hours=1)
    MeetingFeedback.objects.filter(pk=feedback.pk).update(created_at=given)


@pytest.fixture
def small_program(program_manager):
    """Departments: Engineering 7 active people, Sales 3 (Legal's one registration is
    withdrawn). Locations: London 5, Paris 3, Berlin 2. Levels: 2 (4), 3 (2), 6 (4)."""
    program = ProgramFactory(
        status="active",
        meeting_cadence="monthly",
        mentor_capacity=2,
        surveys=SURVEYS,
        managed_by=[program_manager],
    )
    eng, sales, legal = (DepartmentFactory(name=n) for n in ("Engineering", "Sales", "Legal"))
    london, paris, berlin = (LocationFactory(name=n) for n in ("London", "Paris", "Berlin"))
    m, a = Role.MENTOR, "approved"
    people = {
        "M1": register(
            program, "M1", m, a, "2026-04-10", department=eng, location=london, level=6, capacity=2
        ),
        "M2": register(program, "M2", m, a, "2026-04-10", department=eng, location=london, level=6),
        "M3": register(program, "M3", m, a, "2026-04-10", department=eng, location=paris, level=6),
        "M4": register(
            program, "M4", m, a, "2026-04-10", department=sales, location=paris, level=6
        ),
        "E1": register(
            program,
            "E1",
            Role.MENTEE,
            "matched",
            "2026-04-12",
            department=eng,
            location=london,
            level=2,
        ),
        "E2": register(
            program,
            "E2",
            Role.MENTEE,
            "matched",
            "2026-04-12",
            department=eng,
            location=london,
            level=2,
        ),
        "E3": register(
            program,
            "E3",
            Role.MENTEE,
            "matched",
            "2026-05-05",
            department=eng,
            location=london,
            level=2,
        ),
        "S1": register(
            program,
            "S1",
            Role.MENTEE,
            "matched",
            "2026-05-05",
            department=sales,
            location=berlin,
            level=3,
        ),
        "E4": register(
            program,
            "E4",
            Role.MENTEE,
            "waitlisted",
            "2026-06-01",
            department=eng,
            location=paris,
            level=2,
        ),
        "S2": register(
            program,
            "S2",
            Role.MENTEE,
            "approved",
            "2026-06-01",
            department=sales,
            location=berlin,
            level=3,
        ),
        "L1": register(
            program,
            "L1",
            Role.MENTEE,
            "withdrawn",
            "2026-06-01",
            department=legal,
            location=london,
            level=2,
        ),
    }
    p = people
    pairs = {
        "P1": pair(program, p["M1"], p["E1"], "2026-04-20"),
        "P2": pair(program, p["M1"], p["E2"], "2026-05-01", status="ended", ended="2026-05-31"),
        "P3": pair(program, p["M2"], p["E3"], "2026-05-10"),
        "P4": pair(program, p["M4"], p["S1"], "2026-06-01"),
        "X": pair(program, p["M3"], p["S2"], "2026-06-05", status="declined"),
    }
    q = pairs
    first = meeting(q["P1"], "2026-04-25")
    rate(first, p["E1"], 4)
    rate(first, p["M1"], 3)
    may = meeting(q["P1"], "2026-05-20")
    rate(may, p["E1"], 2)
    meeting(q["P1"], "2026-05-25", status="cancelled")
    june = meeting(q["P1"], "2026-06-10")
    rate(june, p["E1"], 3)
    rate(june, p["M1"], 4)
    meeting(q["P1"], "2026-06-20", status="scheduled")  # after "now": not held yet
    rate(meeting(q["P2"], "2026-05-15"), p["E2"], 3)
    rate(meeting(q["P3"], "2026-05-20"), p["M2"], 3)
    booked = meeting(q["P3"], "2026-06-14", status="scheduled")  # now past: it took place
    rate(booked, p["E3"], 4)
    rate(booked, p["M2"], 4)
    rate(meeting(q["P4"], "2026-06-12"), p["S1"], 3)
    meeting(q["X"], "2026-06-06")  # a declined proposal's meeting counts nowhere

    Goal.objects.create(mentorship=q["P1"], title="a", status="achieved", progress=100)
    Goal.objects.create(mentorship=q["P1"], title="b", status="active", progress=40)
    Goal.objects.create(mentorship=q["P3"], title="c", status="dropped", progress=10)
    Goal.objects.create(mentorship=q["P3"], title="d", status="active", progress=60)

    RematchRequest.objects.create(mentorship=q["P4"], requested_by=p["S1"], reason="private")
    RematchRequest.objects.create(
        mentorship=q["P2"], requested_by=p["E2"], reason="private", status="dismissed"
    )

    def survey(mentorship, participant, answers, status="answered"):
        SurveyResponse.objects.create(
            mentorship=mentorship,
            participant=participant,
            kind="midpoint",
            title="Halfway check-in",
            questions=SURVEYS[0]["questions"],
            answers=answers,
            status=status,
            sent_at=at("2026-05-25"),
            closes_at=at("2026-06-08"),
        )

    survey(
        q["P1"],
        p["E1"],
        {"satisfaction": 4, "continue": True, "frequency": "Weekly", "comment": "Great"},
    )
    survey(
        q["P1"],
        p["M1"],
        {"satisfaction": 5, "continue": True, "frequency": "Monthly", "comment": ""},
    )
    survey(q["P3"], p["E3"], {"satisfaction": 2, "continue": False, "frequency": "Weekly"})
    survey(q["P3"], p["M2"], {"satisfaction": 3, "continue": True, "frequency": "Rarely"})
    survey(
        q["P4"],
        p["M4"],
        {"satisfaction": 5, "continue": True, "frequency": "Weekly", "comment": "Good"},
    )
    survey(q["P4"], p["S1"], {}, status="open")
    program.refresh_from_db()
    program.people = people
    program.pairs = pairs
    return program
