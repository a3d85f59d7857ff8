"""A match run over 5,000 participants, from start to proposals stored (issue 5).

Builds a program of 3,300 mentees and 1,700 mentors (capacity 2) with a reporting tree,
departments, levels, time zones, languages and skills answers, then times `start_run` ->
`execute_run` -> every proposal with its score and reasons stored: reading the participants,
building profiles, scoring, the certified solve, explanations and the bulk insert.

Run: .venv/bin/python benchmarks/match_run.py              (SQLite, a fresh file)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/match_run.py
"""

import random
import sys
import time

from _django import report, setup_django

MENTEES = 3_300
MENTORS = 1_700
TARGET_SECONDS = 10.0
SKILLS = [
    "negotiation",
    "public speaking",
    "stakeholder management",
    "python",
    "sql",
    "system design",
    "people management",
    "budgeting",
    "hiring",
    "product strategy",
    "career planning",
    "storytelling",
    "coaching",
    "data modelling",
    "cloud",
    "security",
]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Singapore"]


def build(rng: random.Random):
    from trellis.accounts.models import User
    from trellis.enrolment.models import Participant, ParticipantStatus
    from trellis.people.models import Department, Language, Location, Person, Skill
    from trellis.people.services import rebuild_reporting_paths
    from trellis.programs.models import Criterion, Program, Question, QuestionKind, Role, Status

    departments = [Department.objects.create(name=f"Department {k}") for k in range(12)]
    locations = [
        Location.objects.create(name=f"Office {k}", time_zone=zone) for k, zone in enumerate(ZONES)
    ]
    languages = [
        Language.objects.create(name=name) for name in ["English", "French", "German", "Hindi"]
    ]
    skills = [Skill.objects.create(name=name) for name in SKILLS]
    total = MENTEES + MENTORS
    people = Person.objects.bulk_create(
        [
            Person(
                employee_id=f"P{k:05d}",
                email=f"p{k}@example.com",
                first_name=f"First{k}",
                last_name=f"Last{k}",
                title="Manager" if k < MENTORS else "Specialist",
                department=rng.choice(departments),
                location=rng.choice(locations),
                level=rng.randint(5, 9) if k < MENTORS else rng.randint(1, 5),
            )
            for k in range(total)
        ]
    )
    for k, person in enumerate(people):
        if k >= 10:  # a reporting tree: everyone but the first ten has a manager above them
            person.manager_id = people[rng.randrange(0, min(k, MENTORS))].pk
    Person.objects.bulk_update(people, ["manager"], batch_size=2_000)
    rebuild_reporting_paths()
    through = Person.languages.through
    through.objects.bulk_create(
        [
            through(person_id=p.pk, language_id=language.pk)
            for p in people
            for language in rng.sample(languages, 2)
        ]
    )
    owner = User.objects.create_user(email="pm@example.com", password="x", role="program_manager")
    program = Program.objects.create(
        name="Benchmark program",
        slug="benchmark",
        status=Status.MATCHING,
        mentor_capacity=2,
        matching_weights={
            "skills": 3,
            "goals": 2,
            "seniority": 2,
            "department": 1,
            "time_zone": 1,
            "language": 1,
            "text": 1,
        },
        matching_options={"department": {"prefer": "different"}},
    )
    program.managers.add(owner)
    sought = Question.objects.create(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.SKILLS,
        label="Skills to grow",
        criterion=Criterion.SKILLS_SOUGHT,
    )
    offered = Question.objects.create(
        program=program,
        role=Role.MENTOR,
        kind=QuestionKind.SKILLS,
        label="Skills offered",
        criterion=Criterion.SKILLS_OFFERED,
    )
    goals = Question.objects.create(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label="Goals",
        choices=SKILLS,
        criterion=Criterion.GOALS,
    )
    about = Question.objects.create(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.LONG_TEXT,
        label="About",
        criterion=Criterion.FREE_TEXT,
    )
    words = " ".join(SKILLS).split()
    rows = []
    for k, person in enumerate(people):
        mentor = k < MENTORS
        chosen = [s.pk for s in rng.sample(skills, 4 if mentor else 2)]
        answers = (
            {str(offered.pk): chosen}
            if mentor
            else {
                str(sought.pk): chosen,
                str(goals.pk): rng.sample(SKILLS, 2),
                str(about.pk): " ".join(rng.choices(words, k=8)),
            }
        )
        rows.append(
            Participant(
                program=program,
                person=person,
                role=Role.MENTOR if mentor else Role.MENTEE,
                status=ParticipantStatus.APPROVED,
                capacity=2 if mentor else None,
                answers=answers,
            )
        )
    Participant.objects.bulk_create(rows, batch_size=2_000)
    return program, owner


def main() -> int:
    setup_django()
    from django.db import connection

    from trellis.matches.models import MatchRun
    from trellis.matches.services import execute_run, start_run

    program, owner = build(random.Random(5))
    start = time.perf_counter()
    run = start_run(program, by=owner)
    run = MatchRun.objects.get(pk=run.pk)
    if run.status == "queued":  # a backend that did not run it at once
        run = execute_run(run)
    seconds = time.perf_counter() - start
    stored = run.proposals.count()
    ok = report(f"match_run_{MENTEES + MENTORS}_participants_{connection.vendor}", seconds, "s", 10)
    print(
        f"# run {run.status}: {run.summary.get('matched')} of {run.summary.get('mentees')} "
        f"mentees matched, {stored} proposals stored, certified={run.summary.get('certified')}, "
        f"engine-side {run.summary.get('seconds')} s"
    )
    ok = ok and run.status == "ready" and stored == MENTEES
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
