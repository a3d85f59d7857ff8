"""Demo programs for Northwind Labs: one per template, in different states, with registrations.

Built through the same services the pages use (create from template, change status, enrol with
answers validated by the registration form), so the demo shows what the product really does.
People, answers and choices are deterministic (one `Random(seed)`); program dates are counted
from the day the demo is seeded, because enrolment windows must contain the real today for the
demo to be usable. Emails that registration would send are not sent while seeding.
"""

import datetime
from dataclasses import dataclass
from random import Random

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from trellis.accounts.models import User
from trellis.core.demo_history import seed_reporting_history
from trellis.enrolment.forms import RegistrationForm, field_name
from trellis.enrolment.models import Participant
from trellis.enrolment.services import (
    EnrolmentError,
    approve_participants,
    check_eligibility,
    enrol_participant,
)
from trellis.people.models import Department, Person, Skill
from trellis.programs.models import Program, ProgramTemplate, QuestionKind, Role, Status
from trellis.programs.services import change_program_status, create_program_from_template

# Emails are queued through the task framework; the dummy backend keeps seeding silent.
SILENT_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

_TEXT_ANSWERS = [
    "I want to grow into a role with more strategic scope and learn how to lead without authority.",
    "Looking for someone who has navigated a move from individual contributor to manager.",
    "I'd like practical advice on stakeholder management and presenting to senior leaders.",
    "Happy to share what I learned running cross-team projects and hiring.",
    "I enjoy helping people think through career decisions and difficult conversations.",
    "Interested in getting better at negotiation and giving feedback.",
    "I can help with technical depth: system design, code review and mentoring engineers.",
    "Want to understand how other departments work and build a wider network.",
]


@dataclass(frozen=True)
class _Plan:
    template_key: str
    name: str
    status: str
    mentors: int
    mentees: int
    # Days relative to today: (enrolment opens, closes, starts). Ignored for evergreen programs.
    days: tuple[int, int, int] = (-14, 21, 35)
    approve_share: float = 1.0


PLANS = [
    _Plan("career-mentoring", "Career mentoring: spring cohort", Status.ENROLLING, 90, 260),
    _Plan("new-hire-buddy", "New-hire buddies", Status.ACTIVE, 60, 50),
    _Plan(
        "leadership-development",
        "Leadership development 2026",
        Status.MATCHING,
        30,
        45,
        days=(-60, -10, 14),
        approve_share=0.8,
    ),
    # Over a thousand participants, approved and waiting for the manager's match run.
    _Plan(
        "career-mentoring",
        "Company-wide mentoring 2026",
        Status.MATCHING,
        360,
        700,
        days=(-45, -5, 10),
    ),
    _Plan("peer-mentoring", "Engineering peer mentoring", Status.ENROLLING, 0, 70),
    _Plan("mentoring-circles", "Leadership circles: first-time managers", Status.ENROLLING, 8, 40),
    _Plan("reverse-mentoring", "Reverse mentoring: AI and data", Status.DRAFT, 0, 0),
    _Plan("flash-mentoring", "Flash mentoring: ask me anything", Status.ENROLLING, 25, 30),
]


def _answer_data(form: RegistrationForm, person: Person, rng: Random, skill_ids: list[int]) -> dict:
    """POST data for the registration form, as a person would fill it in."""
    data: dict = {}
    for question in form.questions:
        name = field_name(question)
        kind = question.kind
        if not question.is_required and rng.random() < 0.3:
            continue
        if kind == QuestionKind.SINGLE_CHOICE:
            data[name] = rng.choice(question.choices)
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            most = min(question.max_selections or 3, len(question.choices))
            data[name] = rng.sample(question.choices, rng.randint(1, most))
        elif kind == QuestionKind.SKILLS:
            own = [skill.pk for skill in person.skills.all()]
            pool = own if question.criterion == "skills_offered" and own else skill_ids
            most = min(question.max_selections or 4, len(pool), 4)
            data[name] = [str(pk) for pk in rng.sample(pool, max(1, most))]
        elif kind == QuestionKind.SCALE:
            data[name] = str(rng.randint(question.scale_min, question.scale_max))
        elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            data[name] = rng.choice(_TEXT_ANSWERS)[
                : 200 if kind == QuestionKind.SHORT_TEXT else None
            ]
        elif kind == QuestionKind.YES_NO:
            data[name] = rng.choice(["yes", "no"])
    if form.asks_capacity:
        data["capacity"] = str(form.fields["capacity"].max_value)
    if "consent" in form.fields:
        data["consent"] = "on"
    return data


def _register(program, person, role, rng, today, skill_ids) -> Participant | None:
    form = RegistrationForm(program=program, role=role, person=person)
    form = RegistrationForm(
        _answer_data(form, person, rng, skill_ids), program=program, role=role, person=person
    )
    if not form.is_valid():
        raise AssertionError(f"demo answers rejected for {program.slug}: {form.errors.as_text()}")
    try:
        return enrol_participant(
            program,
            person,
            role,
            form.answers,
            capacity=form.capacity,
            consented=form.consented,
            today=today,
        )
    except EnrolmentError:
        return None


def _candidates(people: list[Person], program: Program, role: str, today, taken: set[int]):
    for person in people:
        if person.pk not in taken and not check_eligibility(program, person, role, today=today):
            yield person


def seed_demo_programs(seed: int = 2026) -> list[Program]:
    """Create the demo programs once; a second call does nothing."""
    if Program.objects.exists():
        return list(Program.objects.all())
    rng = Random(seed)
    manager = User.objects.get(email="amara.okafor@northwind.example")
    # The three people the demo prints stay unregistered: the participant can join from the
    # landing pages, and the admin and program manager run programs rather than take part.
    personas = User.objects.filter(
        email__in=[
            "daniel.kim@northwind.example",
            "amara.okafor@northwind.example",
            "morgan.ellis@northwind.example",
        ]
    ).values_list("person_id", flat=True)
    people = list(
        Person.objects.active()
        .exclude(pk__in=list(personas))
        .select_related("department", "location")
        .prefetch_related("skills")
        .order_by("employee_id")
    )
    today = timezone.localdate()
    programs = []
    with override_settings(TASKS=SILENT_TASKS), transaction.atomic():
        for plan in PLANS:
            programs.append(_seed_program(plan, manager, people, rng, today))
        for program in programs:
            if program.status == Status.ACTIVE and program.matching_mode == "admin":
                _publish_match(program, manager, today)
            if program.matching_mode == "self" and program.format != "peer":
                _self_matching_requests(program, rng)
        programs.append(seed_reporting_history(seed, today=today))
    return programs


def _self_matching_requests(program: Program, rng: Random) -> None:
    """Mentees of a self-matched program ask their first recommendation: a few accepted,
    a few declined with a note, the rest waiting for an answer."""
    from trellis.matches.self_matching import answer_request, recommendations, request_mentor
    from trellis.matches.services import MatchError

    mentees = list(program.participants.filter(role=Role.MENTEE, status="approved")[:18])
    for k, mentee in enumerate(mentees):
        shown = recommendations(program, mentee, limit=1)
        if not shown:
            continue
        try:
            request = request_mentor(
                mentee, shown[0].mentor, message=rng.choice(_TEXT_ANSWERS)[:200]
            )
        except MatchError:
            continue
        if k % 3 == 0:
            answer_request(request, person=request.mentor.person, accept=True, note="Happy to!")
        elif k % 5 == 1:
            answer_request(
                request,
                person=request.mentor.person,
                accept=False,
                note="My places are full this quarter; try again in January.",
            )


def _publish_match(program: Program, manager: User, today) -> None:
    """A running program has its mentorships: one match run, reviewed and published."""
    from trellis.matches.services import execute_run, publish_run, start_run

    run = execute_run(start_run(program, by=manager))
    publish_run(run, by=manager, today=today - datetime.timedelta(days=30))
    _meeting_history(program, Random(program.pk), today)
    _survey_history(program, Random(program.pk + 1))
    _demo_pair(program)


def _demo_pair(program: Program) -> None:
    """One buddy pair, both with an account, with something to do: their last meeting not yet
    rated, a goal to update, their monthly check-in open (`trellis demo` prints them)."""
    from django.contrib.auth.hashers import make_password

    from trellis.accounts.models import Role as AccountRole
    from trellis.core.demo import DEMO_PASSWORD
    from trellis.mentorships.goals import add_goal
    from trellis.mentorships.models import MeetingFeedback, SurveyResponse

    pair = (
        program.mentorships.filter(status="active", meetings__status="held")
        .select_related("mentor__person", "mentee__person")
        .order_by("pk")
        .first()
    )
    if pair is None:
        return
    for person in (pair.mentee.person, pair.mentor.person):
        User.objects.get_or_create(
            email=person.email,
            defaults={
                "person": person,
                "role": AccountRole.PARTICIPANT,
                "password": make_password(DEMO_PASSWORD),
            },
        )
    last = pair.meetings.filter(status="held").order_by("-starts_at").first()
    MeetingFeedback.objects.filter(meeting=last).delete()
    if not pair.goals.exists():
        add_goal(
            pair,
            person=pair.mentee.person,
            title="Know who to ask for what",
            milestones=["Map the teams I work with", "Meet each team's lead"],
        )
    SurveyResponse.objects.filter(mentorship=pair, kind="periodic").update(
        status="open", answers={}, answered_at=None
    )


def demo_pair_emails() -> tuple[str, str] | None:
    """(mentee, mentor) of the demo's buddy pair with accounts, for the banner."""
    from trellis.mentorships.models import Mentorship

    emails = set(User.objects.values_list("email", flat=True))
    for pair in (
        Mentorship.objects.filter(status="active", program__template__key="new-hire-buddy")
        .select_related("mentee__person", "mentor__person")
        .order_by("pk")
    ):
        mentee, mentor = pair.mentee.person.email, pair.mentor.person.email
        if mentee in emails and mentor in emails:
            return mentee, mentor
    return None


def _survey_history(program: Program, rng: Random) -> None:
    """The surveys now due (first-meeting fit, the monthly check-in) are open; most are
    answered, a couple say the match is not a good fit, the rest wait for an answer."""
    from trellis.mentorships.models import SurveyResponse
    from trellis.mentorships.surveys import answer_survey, open_due_surveys

    open_due_surveys()
    for k, response in enumerate(
        SurveyResponse.objects.filter(mentorship__program=program)
        .select_related("participant__person")
        .order_by("pk")
    ):
        if k % 4 == 3:
            continue  # still waiting for an answer
        unhappy = k % 17 == 5
        answers = {}
        for question in response.questions:
            kind = question["kind"]
            if kind == "scale":
                low, high = question["scale"]["min"], question["scale"]["max"]
                answers[question["key"]] = str(low if unhappy else rng.randint(high - 1, high))
            elif kind == "yes_no":
                answers[question["key"]] = "no" if unhappy else "yes"
            elif kind in ("single_choice", "multiple_choice"):
                answers[question["key"]] = question["choices"][0]
            else:
                answers[question["key"]] = rng.choice(_MEETING_NOTES)
        answer_survey(response, person=response.participant.person, answers=answers)


def _meeting_history(program: Program, rng: Random, today) -> None:
    """A month of meetings: most pairs meet weekly and rate well, a few rate poorly, a few
    never met (both kinds show as at risk on the managers' Pairs page), some have a meeting
    booked for next week."""
    from trellis.mentorships.goals import add_goal, toggle_milestone, update_goal
    from trellis.mentorships.meetings import log_meeting, rate_meeting, schedule_meeting

    zone = timezone.get_current_timezone()
    pairs = program.mentorships.filter(status="active").select_related(
        "mentor__person", "mentee__person"
    )
    for k, pair in enumerate(pairs.order_by("pk")):
        if k % 9 == 8:
            continue  # never met
        unhappy = k % 11 == 5
        for week in range(4):
            day = today - datetime.timedelta(days=28 - 7 * week - rng.randint(0, 2))
            start = datetime.datetime.combine(day, datetime.time(rng.choice([9, 11, 14, 16])))
            meeting = log_meeting(
                pair,
                person=pair.mentee.person,
                starts_at=start.replace(tzinfo=zone),
                duration_minutes=rng.choice([30, 45, 60]),
                notes=rng.choice(_MEETING_NOTES),
            )
            for side in (pair.mentee.person, pair.mentor.person):
                rating = rng.choice([1, 2, 2]) if unhappy else rng.choice([3, 3, 4, 4, 4])
                rate_meeting(meeting, person=side, rating=rating)
        if k % 2 == 0:
            goal = add_goal(
                pair,
                person=pair.mentee.person,
                title=rng.choice(_GOALS),
                milestones=["Agree what good looks like", "Try it once", "Review together"],
            )
            update_goal(
                goal,
                person=pair.mentee.person,
                progress=rng.choice([20, 40, 60]),
                text="Made a start; the first step is done.",
            )
            toggle_milestone(goal.milestones.first(), person=pair.mentee.person)
            update_goal(goal, person=pair.mentor.person, text="Good progress: keep going.")
        if k % 3 == 0:
            day = today + datetime.timedelta(days=7)
            start = datetime.datetime.combine(day, datetime.time(10)).replace(tzinfo=zone)
            schedule_meeting(
                pair,
                person=pair.mentee.person,
                starts_at=start,
                place="https://meet.northwind.example/buddies",
                agenda="Check-in on the first month",
            )


_GOALS = [
    "Know who to ask for what",
    "Ship a first change to production",
    "Visibility with leadership",
    "Communication",
]

_MEETING_NOTES = [
    "Walked through the team's release process and who to ask about what.",
    "Talked about the first project and how to scope it.",
    "Coffee and a tour of the office; agreed to meet weekly.",
    "Went over the onboarding checklist; two items left.",
]


def _seed_program(plan: _Plan, manager: User, people: list[Person], rng: Random, today):
    template = ProgramTemplate.objects.get(key=plan.template_key)
    opens, closes, starts = (today + datetime.timedelta(days=d) for d in plan.days)
    overrides = {}
    if template.definition.get("model") != "evergreen":
        overrides = {
            "enrolment_opens_on": opens,
            "enrolment_closes_on": closes,
            "starts_on": starts,
        }
    if plan.template_key == "peer-mentoring":
        overrides["eligible_departments"] = list(Department.objects.filter(name="Engineering"))
    program = create_program_from_template(
        template, name=plan.name, created_by=manager, **overrides
    )
    if plan.status == Status.DRAFT:
        return program
    # History is replayed on the days it would have happened.
    opened_on = opens if program.model == "cohort" else today - datetime.timedelta(days=120)
    change_program_status(program, Status.ENROLLING, by=manager, today=opened_on)
    skill_ids = sorted(Skill.objects.values_list("pk", flat=True))
    shuffled = people[:]
    rng.shuffle(shuffled)
    taken: set[int] = set()
    registered_on = max(opened_on, min(today, closes - datetime.timedelta(days=1)))
    roles = (
        [(Role.PEER, plan.mentees)]
        if program.format == "peer"
        else [
            (Role.MENTOR, plan.mentors),
            (Role.MENTEE, plan.mentees),
        ]
    )
    for role, wanted in roles:
        pool = shuffled
        if plan.template_key == "new-hire-buddy" and role == Role.MENTEE:
            # Buddies are for the newest colleagues.
            pool = sorted(shuffled, key=lambda p: p.hire_date or datetime.date.min, reverse=True)
        count = 0
        for person in _candidates(pool, program, role, registered_on, taken):
            if count >= wanted:
                break
            if _register(program, person, role, rng, registered_on, skill_ids):
                taken.add(person.pk)
                count += 1
    if program.requires_approval:
        pending = list(program.participants.filter(status="applied").order_by("applied_at"))
        approve_participants(program, pending[: int(len(pending) * plan.approve_share)], by=manager)
    if plan.status in (Status.MATCHING, Status.ACTIVE):
        change_program_status(
            program,
            Status.MATCHING if program.model == "cohort" else Status.ACTIVE,
            by=manager,
            today=today,
        )
    if plan.status == Status.ACTIVE and program.status != Status.ACTIVE:
        change_program_status(program, Status.ACTIVE, by=manager, today=today)
    return program
