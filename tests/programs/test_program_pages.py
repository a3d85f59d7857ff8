"""The program list, the landing page, and saving a program as a template (with its round trip)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AdminFactory,
    DepartmentFactory,
    LocationFactory,
    ParticipantFactory,
    PersonFactory,
)
from trellis.enrolment.models import ParticipantStatus
from trellis.programs.models import KeyResult, Program, ProgramTemplate, Question, Status
from trellis.programs.services import (
    ProgramError,
    add_key_result,
    add_objective,
    create_program_from_template,
    program_definition,
    save_program_as_template,
    update_program,
    validate_definition,
)

from .conftest import ProgramFactory, RegistrationFactory, page_text

pytestmark = pytest.mark.django_db

LIST_URL = reverse("programs:list")


def landing_url(program) -> str:
    return reverse("programs:landing", args=[program.slug])


# --- The program list --------------------------------------------------------------------------


def test_manager_sees_the_programs_they_manage_with_counts(manager_client, make_program):
    program = make_program("career-mentoring", status=Status.ENROLLING, name="Ours")
    for role, status in [
        ("mentor", "approved"),
        ("mentee", "matched"),
        ("mentee", "applied"),
        ("mentee", "withdrawn"),
    ]:
        RegistrationFactory(program=program, role=role, status=status)
    ProgramFactory(name="Someone else's", status=Status.ENROLLING)

    response = manager_client.get(LIST_URL)
    managed = response.context["lists"].managed
    assert [p.name for p in managed] == ["Ours"]
    assert (managed[0].active_participants, managed[0].mentor_count, managed[0].mentee_count) == (
        3,
        1,
        2,
    )
    assert managed[0].matched_count == 1
    text = page_text(response)
    assert "Programs you manage" in text
    assert "Ours One-to-one mentoring Enrolling Cohort 3 1 / 2 1 Manage" in text
    assert f'href="{reverse("programs:settings", args=[program.slug])}"' in (
        response.content.decode()
    )
    assert "Create a program" in text


def test_admin_sees_every_program(client, make_program):
    make_program("new-hire-buddy", name="Buddies")
    ProgramFactory(name="Another")
    client.force_login(AdminFactory())
    response = client.get(LIST_URL)
    assert {p.name for p in response.context["lists"].managed} == {"Buddies", "Another"}
    assert "All programs" in page_text(response)


def test_participant_sees_open_programs_and_their_own(
    participant_client, participant, make_program
):
    today = timezone.localdate()
    open_cohort = make_program("career-mentoring", status=Status.ENROLLING, name="Open cohort")
    make_program("career-mentoring", name="Still a draft")
    make_program(
        "career-mentoring",
        status=Status.ENROLLING,
        name="Not yet open",
        enrolment_opens_on=today + datetime.timedelta(days=3),
        enrolment_closes_on=today + datetime.timedelta(days=10),
        starts_on=today + datetime.timedelta(days=20),
    )
    evergreen = make_program("new-hire-buddy", status=Status.ACTIVE, name="Buddies")
    taken = make_program("peer-mentoring", status=Status.ACTIVE, name="Peers in progress")
    RegistrationFactory(program=taken, person=participant.person, role="peer", status="matched")

    response = participant_client.get(LIST_URL)
    lists = response.context["lists"]
    assert lists.managed == []
    assert {p.name for p in lists.open} == {"Open cohort", "Buddies"}
    assert [r.program.name for r in lists.registrations] == ["Peers in progress"]
    text = page_text(response)
    assert "Still a draft" not in text and "Not yet open" not in text
    assert "Peers in progress : peer, Matched" in text
    assert f"register by {open_cohort.enrolment_closes_on:%d %B %Y}".replace(" 0", " ") in text
    assert "Buddies" in text and "open all year" in text
    assert "Programs you manage" not in text and "Create a program" not in text
    assert landing_url(evergreen) in response.content.decode()


def test_program_list_query_count_does_not_grow(
    manager_client, make_program, program_manager, participant, django_assert_max_num_queries
):
    for n in range(6):
        program = make_program("career-mentoring", status=Status.ENROLLING, name=f"Program {n}")
        RegistrationFactory.create_batch(3, program=program)
    # Session, user, person (nav), managed programs with counts, open programs, registrations.
    with django_assert_max_num_queries(7):
        response = manager_client.get(LIST_URL)
    assert len(response.context["lists"].managed) == 6


# --- The landing page --------------------------------------------------------------------------


def test_landing_page_tells_people_what_they_need(participant_client, make_program):
    sales = DepartmentFactory(name="Sales")
    program = make_program("career-mentoring", status=Status.ENROLLING)
    program.eligible_departments.set([sales])
    program.eligible_locations.set([LocationFactory(name="Lisbon")])

    response = participant_client.get(landing_url(program))
    assert response.status_code == 200
    text = page_text(response)
    assert program.name in text
    assert f"Our goal {program.north_star}" in text
    assert "Whatever your next step is" in text  # the description
    assert "Format One-to-one mentoring" in text
    assert f"Timeline Cohort: {program.starts_on:%-d %B %Y} to {program.ends_on:%-d %B %Y}" in text
    assert "Meetings Every two weeks" in text
    assert "Mentors Level 4 or above, at least 2 years here" in text
    assert "Mentees Level 5 or below" in text
    assert "Departments Sales" in text and "Locations Lisbon" in text
    assert "You may join as mentor and as mentee" in text
    assert f"Registration is open until {program.enrolment_closes_on:%-d %B %Y}." in text
    html = response.content.decode()
    assert "style=" not in html and "<script>" not in html
    # Not a manager: no manager navigation.
    assert reverse("programs:settings", args=[program.slug]) not in html


def test_eligible_person_gets_a_join_button_per_role(participant_client, participant, make_program):
    person = participant.person
    person.level, person.hire_date = 5, datetime.date(2015, 1, 1)
    person.save()
    program = make_program("career-mentoring", status=Status.ENROLLING)
    response = participant_client.get(landing_url(program))
    html = response.content.decode()
    join = reverse("enrolment:join", args=[program.slug])
    assert f'href="{join}?role=mentor">Join as mentor</a>' in html
    assert f'href="{join}?role=mentee">Join as mentee</a>' in html


def test_ineligible_roles_say_why(participant_client, participant, make_program):
    person = participant.person
    person.level = 3
    person.save()
    program = make_program("leadership-development", status=Status.ENROLLING)
    response = participant_client.get(landing_url(program))
    text = page_text(response)
    assert "Mentor: you cannot join in this role." in text
    assert "Mentors need level 7 or above; the directory has you at level 3." in text
    assert "?role=mentor" not in response.content.decode()
    assert "?role=mentee" in response.content.decode()


def test_registered_person_sees_their_status(participant_client, participant, make_program):
    program = make_program("leadership-development", status=Status.ENROLLING)
    RegistrationFactory(
        program=program, person=participant.person, role="mentee", status=ParticipantStatus.APPLIED
    )
    response = participant_client.get(landing_url(program))
    text = page_text(response)
    assert "Your registration Mentee: Applied (awaiting approval)" in text
    html = response.content.decode()
    assert "?role=mentor" not in html  # one role per person in this program
    assert f"{reverse('enrolment:withdraw', args=[program.slug])}?role=mentee" in html


def test_peer_programs_offer_the_peer_role(participant_client, make_program):
    program = make_program("peer-mentoring", status=Status.ENROLLING)
    html = participant_client.get(landing_url(program)).content.decode()
    assert "?role=peer" in html
    assert "?role=mentor" not in html and "?role=mentee" not in html


def test_circle_roles_are_named_for_circles(participant_client, participant, make_program):
    participant.person.level = 6
    participant.person.save()
    program = make_program("mentoring-circles", status=Status.ENROLLING)
    text = page_text(participant_client.get(landing_url(program)))
    assert "Join as circle leader" in text and "Join as circle member" in text
    assert "Circle leaders Level 5 or above, at least 2 years here" in text
    assert "circles of 6 members" in text


def test_evergreen_program_stays_open_while_active(participant_client, make_program):
    program = make_program("new-hire-buddy", status=Status.ACTIVE)
    response = participant_client.get(landing_url(program))
    text = page_text(response)
    assert "Open all year: join whenever suits you." in text
    assert "Timeline Evergreen: join and leave any time" in text
    assert "?role=mentee" in response.content.decode()


def test_closed_program_offers_no_join(participant_client, make_program):
    program = make_program("career-mentoring", status=Status.CLOSED)
    response = participant_client.get(landing_url(program))
    assert "This program has ended" in page_text(response)
    assert "?role=" not in response.content.decode()


def test_account_without_a_person_cannot_join(client, make_program):
    program = make_program("new-hire-buddy", status=Status.ENROLLING)
    client.force_login(AdminFactory(person=None, email="it@example.com"))
    response = client.get(landing_url(program))
    assert "Your account is not linked to a person in the directory" in page_text(response)
    assert "?role=" not in response.content.decode()


def test_draft_landing_page_is_hidden_from_participants(participant_client, make_program):
    program = make_program("career-mentoring")
    assert participant_client.get(landing_url(program)).status_code == 404


def test_draft_landing_page_is_hidden_from_other_managers(other_manager_client, make_program):
    program = make_program("career-mentoring")
    assert other_manager_client.get(landing_url(program)).status_code == 404


def test_managers_preview_their_draft(manager_client, make_program):
    program = make_program("career-mentoring")
    response = manager_client.get(landing_url(program))
    assert response.status_code == 200
    text = page_text(response)
    assert "Draft: only its managers see this page" in text
    assert "Registration for this program has not opened yet." in text
    html = response.content.decode()
    assert f'href="{reverse("programs:okrs", args=[program.slug])}"' in html
    assert f'href="{reverse("enrolment:participants", args=[program.slug])}"' in html
    assert f'href="{reverse("enrolment:invite", args=[program.slug])}"' in html


def test_landing_page_needs_sign_in(client, make_program):
    program = make_program("career-mentoring", status=Status.ENROLLING)
    response = client.get(landing_url(program))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- Save as a template ------------------------------------------------------------------------


def snapshot(program: Program) -> dict:
    """Everything a template reproduces, in comparable form."""
    fields = (
        "summary",
        "description",
        "format",
        "model",
        "matching_mode",
        "mentor_capacity",
        "circle_size",
        "meeting_cadence",
        "north_star",
        "allow_both_roles",
        "requires_approval",
        "consent_text",
        "mentor_min_level",
        "mentor_min_tenure_months",
        "mentee_max_level",
        "matching_weights",
        "matching_options",
        "surveys",
        "enrolment_opens_on",
        "enrolment_closes_on",
        "starts_on",
        "ends_on",
    )
    return {
        "settings": {name: getattr(program, name) for name in fields},
        "departments": sorted(d.name for d in program.eligible_departments.all()),
        "locations": sorted(loc.name for loc in program.eligible_locations.all()),
        "questions": list(
            program.questions.values(
                "role",
                "kind",
                "label",
                "help_text",
                "is_required",
                "choices",
                "scale_min",
                "scale_max",
                "scale_min_label",
                "scale_max_label",
                "max_selections",
                "criterion",
                "is_private",
            )
        ),
        "okrs": [
            (
                o.title,
                [(k.title, k.metric, k.target, k.unit, k.deadline) for k in o.key_results.all()],
            )
            for o in program.objectives.prefetch_related("key_results")
        ],
    }


def test_save_as_template_round_trips(make_program, program_manager):
    sales = DepartmentFactory(name="Sales")
    start = datetime.date(2027, 4, 5)
    dates = {
        "enrolment_opens_on": start - datetime.timedelta(weeks=3),
        "enrolment_closes_on": start - datetime.timedelta(days=1),
        "starts_on": start,
    }
    original = make_program("career-mentoring", **dates)
    # Customise it: settings, a question, an OKR with an odd deadline, a scope.
    original = update_program(
        original,
        by=program_manager,
        mentor_capacity=3,
        matching_weights={"skills": 5.0, "language": 1.0},
        matching_options={"skills": {"partial": 0.25}},
        eligible_departments=[sales],
        ends_on=start + datetime.timedelta(weeks=20),
    )
    Question.objects.create(
        program=original,
        role="mentee",
        kind="scale",
        label="How ready are you?",
        scale_min=0,
        scale_max=3,
        scale_min_label="Not yet",
        scale_max_label="Very",
        position=99,
        is_private=True,
    )
    objective = add_objective(original, title="Sales grow")
    add_key_result(
        objective,
        title="Deals mentored",
        target=12,
        unit="deals",
        deadline=start + datetime.timedelta(days=45),
    )
    add_key_result(objective, title="No deadline", target=1, metric="participation")

    template = save_program_as_template(
        original, key="sales-mentoring", name="Sales mentoring", by=program_manager
    )
    assert not template.is_builtin
    assert template.created_by == program_manager
    assert template.summary == original.summary
    assert validate_definition(template.definition, source="saved") == template.definition

    copy = create_program_from_template(
        template, name="Sales mentoring 2028", created_by=program_manager, **dates
    )
    assert snapshot(copy) == snapshot(original)
    assert copy.questions.count() == 10


@pytest.mark.parametrize("key", ["new-hire-buddy", "mentoring-circles", "peer-mentoring"])
def test_every_format_round_trips(make_program, program_manager, key):
    original = make_program(key)
    template = save_program_as_template(
        original, key=f"copy-{key}", name="Copy", by=program_manager
    )
    dates = {
        name: getattr(original, name)
        for name in ("enrolment_opens_on", "enrolment_closes_on", "starts_on")
        if getattr(original, name)
    }
    copy = create_program_from_template(template, name="Copy", created_by=program_manager, **dates)
    if original.is_evergreen:
        # Deadlines count from the day each program was created: both today.
        assert copy.created_at.date() == original.created_at.date()
    assert snapshot(copy) == snapshot(original)


def test_program_definition_keeps_weeks_when_whole(make_program):
    program = make_program("career-mentoring")
    definition = program_definition(program, key="x", name="X")
    first = definition["okrs"][0]["key_results"][0]
    assert first == {
        "title": "Mentees matched by the start",
        "metric": "match_rate",
        "target": 90.0,
        "unit": "%",
        "deadline_weeks": 0,
    }
    assert definition["duration_weeks"] == 26


@pytest.mark.parametrize(
    ("key", "name", "message"),
    [
        ("Bad Key", "Name", "The key must be lower-case letters, digits and single hyphens"),
        ("fine-key", " ", "Give the template a name."),
        ("career-mentoring", "Name", "“career-mentoring” is the key of a built-in template"),
        ("taken", "Name", "A template with the key “taken” already exists"),
    ],
)
def test_saving_a_template_explains_refusals(make_program, program_manager, key, name, message):
    ProgramTemplate.objects.create(key="taken", name="Taken")
    program = make_program("flash-mentoring")
    with pytest.raises(ProgramError, match=message):
        save_program_as_template(program, key=key, name=name, by=program_manager)


def save_url(program) -> str:
    return reverse("programs:save_as_template", args=[program.slug])


def test_manager_saves_a_program_as_a_template(manager_client, make_program):
    program = make_program("peer-mentoring", name="Peer learning, Lisbon")
    page = manager_client.get(save_url(program))
    assert 'value="peer-learning-lisbon"' in page.content.decode()

    response = manager_client.post(
        save_url(program), {"name": "Peer learning", "key": "peer-learning"}, follow=True
    )
    template = ProgramTemplate.objects.get(key="peer-learning")
    assert template.definition["format"] == "peer"
    text = page_text(response)
    assert "“Peer learning” is now in the template library" in text
    assert "Peer learning" in text
    create = reverse("programs:create", args=["peer-learning"])
    assert create in response.content.decode()

    again = manager_client.post(save_url(program), {"name": "Again", "key": "peer-learning"})
    assert "already exists; choose another key" in page_text(again)
    assert ProgramTemplate.objects.filter(key="peer-learning").count() == 1


def test_participant_cannot_save_a_template(participant_client, make_program):
    program = make_program("peer-mentoring", status=Status.ENROLLING)
    assert participant_client.get(save_url(program)).status_code == 403
    response = participant_client.post(save_url(program), {"name": "Mine", "key": "mine"})
    assert response.status_code == 403
    assert not ProgramTemplate.objects.filter(key="mine").exists()


def test_manager_of_another_program_cannot_save_it_as_a_template(
    other_manager_client, make_program
):
    program = make_program("peer-mentoring")
    response = other_manager_client.post(save_url(program), {"name": "Mine", "key": "mine"})
    assert response.status_code == 403
    assert not ProgramTemplate.objects.filter(key="mine").exists()


def test_saved_template_is_shared_with_every_program_manager(client, make_program, program_manager):
    program = make_program("flash-mentoring")
    save_program_as_template(program, key="flash-lisbon", name="Flash Lisbon", by=program_manager)
    colleague = ParticipantFactory(role="program_manager")
    client.force_login(colleague)
    response = client.post(reverse("programs:create", args=["flash-lisbon"]), {"name": "Mine"})
    assert response.status_code == 302
    mine = Program.objects.get(name="Mine")
    assert list(mine.managers.all()) == [colleague]
    assert KeyResult.objects.filter(objective__program=mine).count() == 4
    assert mine.template.key == "flash-lisbon"


def test_people_are_not_copied_into_templates(make_program, program_manager):
    program = make_program("flash-mentoring", status=Status.ACTIVE)
    RegistrationFactory(program=program, person=PersonFactory(first_name="Secret"))
    template = save_program_as_template(program, key="no-people", name="X", by=program_manager)
    assert "Secret" not in str(template.definition)
