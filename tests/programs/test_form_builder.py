"""The registration-form builder: adding, editing, deleting and reordering questions, their
validation, the preview (the very form participants get), and who may use any of it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.enrolment.conftest import ProgramFactory, QuestionFactory, page_text
from tests.factories import AdminFactory, ParticipantFactory, ProgramManagerFactory
from trellis.enrolment.models import Participant
from trellis.programs.models import Criterion, Format, Question, QuestionKind, Role
from trellis.programs.question_forms import QuestionForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return ProgramManagerFactory()


@pytest.fixture
def builder_program(owner):
    return ProgramFactory(managed_by=[owner], mentor_capacity=2)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def builder_url(program) -> str:
    return reverse("programs:form_builder", args=[program.slug])


def question_data(**overrides) -> dict:
    data = {
        "kind": QuestionKind.SINGLE_CHOICE,
        "role": "",
        "label": "How would you like to meet?",
        "help_text": "",
        "is_required": "on",
        "choices_text": "In person\nVideo call\n",
        "scale_min": "1",
        "scale_max": "5",
        "scale_min_label": "",
        "scale_max_label": "",
        "max_selections": "",
        "criterion": Criterion.MEETING_FORMAT,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors_for(program, **overrides) -> dict:
    form = QuestionForm(question_data(**overrides), program=program)
    assert not form.is_valid()
    return form.errors


# --- Who may use the builder --------------------------------------------------------------------


def every_builder_request(program, question):
    args = [program.slug, question.pk]
    return [
        ("get", builder_url(program)),
        ("post", builder_url(program)),
        ("get", reverse("programs:form_preview", args=[program.slug])),
        ("get", reverse("programs:question_edit", args=args)),
        ("post", reverse("programs:question_edit", args=args)),
        ("post", reverse("programs:question_delete", args=args)),
        ("post", reverse("programs:question_move", args=args)),
    ]


@pytest.mark.parametrize(
    "user_factory",
    [ParticipantFactory, ProgramManagerFactory],
    ids=["participant", "other-manager"],
)
def test_builder_is_forbidden_to_participants_and_other_programs_managers(
    client, builder_program, user_factory
):
    question = QuestionFactory(program=builder_program, label="Untouched")
    client.force_login(user_factory())
    for method, url in every_builder_request(builder_program, question):
        response = getattr(client, method)(url, question_data(label="Hacked", direction="up"))
        assert response.status_code == 403, url
    question.refresh_from_db()
    assert question.label == "Untouched"
    assert Question.objects.filter(program=builder_program).count() == 1


def test_anonymous_visitor_is_sent_to_sign_in(client, builder_program):
    response = client.get(builder_url(builder_program))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_organisation_admins_manage_every_program(client, builder_program):
    client.force_login(AdminFactory())
    assert client.get(builder_url(builder_program)).status_code == 200


def test_a_question_of_another_program_is_not_found(owner_client, builder_program):
    foreign = QuestionFactory(program=ProgramFactory())
    for name in ("question_edit", "question_delete", "question_move"):
        url = reverse(f"programs:{name}", args=[builder_program.slug, foreign.pk])
        assert owner_client.post(url, question_data(direction="up")).status_code == 404
    assert Question.objects.filter(pk=foreign.pk).exists()


# --- Listing and adding -------------------------------------------------------------------------


def test_builder_lists_the_questions_per_role(owner_client, builder_program):
    QuestionFactory(program=builder_program, role="", label="Preferred meeting format")
    QuestionFactory(program=builder_program, role=Role.MENTOR, label="What can you offer?")
    QuestionFactory(program=builder_program, role=Role.MENTEE, label="What do you seek?")
    response = owner_client.get(builder_url(builder_program))
    text = page_text(response)
    every = text.index("Asked of every role (1)")
    mentors = text.index("Asked of mentors only (1)")
    mentees = text.index("Asked of mentees only (1)")
    assert every < text.index("Preferred meeting format") < mentors
    assert mentors < text.index("What can you offer?") < mentees
    assert mentees < text.index("What do you seek?")
    assert "style=" not in response.content.decode()


def test_adding_a_choice_question(owner_client, builder_program):
    QuestionFactory(program=builder_program, position=7)
    response = owner_client.post(
        builder_url(builder_program),
        question_data(role=Role.MENTEE, help_text="Pick one", max_selections="1"),
        follow=True,
    )
    question = Question.objects.get(label="How would you like to meet?")
    assert question.program == builder_program
    assert question.role == Role.MENTEE
    assert question.choices == ["In person", "Video call"]
    assert question.criterion == Criterion.MEETING_FORMAT
    assert question.is_required and not question.is_private
    assert question.max_selections is None  # only for multiple choice and skills
    assert question.position == 8  # at the end
    assert "Question “How would you like to meet?” added." in page_text(response)


def test_adding_a_scale_question_keeps_its_bounds_and_labels(owner_client, builder_program):
    owner_client.post(
        builder_url(builder_program),
        question_data(
            kind=QuestionKind.SCALE,
            label="How confident are you?",
            choices_text="stray\nchoices",
            scale_min="0",
            scale_max="10",
            scale_min_label="Not at all",
            scale_max_label="Completely",
            criterion="",
            is_private="on",
        ),
    )
    question = Question.objects.get(label="How confident are you?")
    assert (question.scale_min, question.scale_max) == (0, 10)
    assert (question.scale_min_label, question.scale_max_label) == ("Not at all", "Completely")
    assert question.choices == [] and question.is_private


def test_a_skills_question_may_feed_skills_offered_or_sought(builder_program):
    for role, criterion in ((Role.MENTOR, Criterion.SKILLS_OFFERED), ("", Criterion.SKILLS_SOUGHT)):
        form = QuestionForm(
            question_data(
                kind=QuestionKind.SKILLS,
                role=role,
                criterion=criterion,
                choices_text="",
                max_selections="5",
            ),
            program=builder_program,
        )
        assert form.is_valid(), form.errors
        assert form.save().max_selections == 5


# --- Validation ---------------------------------------------------------------------------------


def test_choice_questions_need_two_distinct_choices(builder_program):
    assert errors_for(builder_program, choices_text="Only one\n\n")["choices_text"] == [
        "A choice question needs at least two different choices."
    ]
    assert errors_for(builder_program, choices_text="Video\nvideo")["choices_text"] == [
        "“video” is listed twice."
    ]
    assert (
        "at most 50"
        in errors_for(builder_program, choices_text="\n".join(f"Choice {n}" for n in range(51)))[
            "choices_text"
        ][0]
    )


def test_scale_must_end_above_its_start(builder_program):
    errors = errors_for(
        builder_program, kind=QuestionKind.SCALE, scale_min="5", scale_max="5", criterion=""
    )
    assert errors["scale_max"] == ["The scale must end above where it starts."]
    errors = errors_for(
        builder_program, kind=QuestionKind.SCALE, scale_min="0", scale_max="1000", criterion=""
    )
    assert errors["scale_max"] == ["A scale has at most 101 points."]


def test_maximum_selections_must_fit_the_choices(builder_program):
    errors = errors_for(builder_program, kind=QuestionKind.MULTIPLE_CHOICE, max_selections="3")
    assert errors["max_selections"] == ["There are only 2 choices; allow at most 2."]
    errors = errors_for(builder_program, kind=QuestionKind.MULTIPLE_CHOICE, max_selections="0")
    assert errors["max_selections"] == ["Allow at least one selection, or leave empty."]


@pytest.mark.parametrize(
    ("kind", "criterion"),
    [
        (QuestionKind.SHORT_TEXT, Criterion.SKILLS_OFFERED),
        (QuestionKind.MULTIPLE_CHOICE, Criterion.SKILLS_SOUGHT),
        (QuestionKind.SCALE, Criterion.LANGUAGES),
        (QuestionKind.YES_NO, Criterion.FREE_TEXT),
        (QuestionKind.LONG_TEXT, Criterion.MEETING_FORMAT),
    ],
)
def test_criterion_must_be_able_to_read_the_kind_of_answer(builder_program, kind, criterion):
    errors = errors_for(builder_program, kind=kind, criterion=criterion)
    assert "change the kind or choose another criterion" in errors["criterion"][0]


def test_skills_offered_is_not_asked_of_mentees(builder_program):
    errors = errors_for(
        builder_program,
        kind=QuestionKind.SKILLS,
        role=Role.MENTEE,
        criterion=Criterion.SKILLS_OFFERED,
        choices_text="",
    )
    assert errors["criterion"] == [
        "Mentees do not answer “Skills offered” in matching; ask another role, or choose "
        "another criterion."
    ]


def test_roles_are_those_of_the_program_format(builder_program):
    assert "role" in errors_for(builder_program, role=Role.PEER)
    peer_program = ProgramFactory(format=Format.PEER)
    assert QuestionForm(question_data(role=Role.PEER), program=peer_program).is_valid()
    assert "role" in errors_for(peer_program, role=Role.MENTOR)


def test_invalid_question_is_shown_with_its_errors_and_not_saved(owner_client, builder_program):
    response = owner_client.post(builder_url(builder_program), question_data(choices_text="One"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The question was not added." in page_text(response)
    assert 'id="id_choices_text_error"' in html and 'aria-invalid="true"' in html
    assert not Question.objects.exists()


def test_every_built_in_template_question_passes_the_builder_validation(make_program):
    """Questions that came from a template can be edited and saved as they are."""
    for key in (
        "career-mentoring",
        "flash-mentoring",
        "leadership-development",
        "mentoring-circles",
        "new-hire-buddy",
        "peer-mentoring",
        "reverse-mentoring",
    ):
        program = make_program(key)
        for question in program.questions.all():
            data = {
                "kind": question.kind,
                "role": question.role,
                "label": question.label,
                "help_text": question.help_text,
                "choices_text": "\n".join(question.choices),
                "scale_min": question.scale_min,
                "scale_max": question.scale_max,
                "scale_min_label": question.scale_min_label,
                "scale_max_label": question.scale_max_label,
                "max_selections": question.max_selections or "",
                "criterion": question.criterion,
            }
            form = QuestionForm(data, instance=question, program=program)
            assert form.is_valid(), (key, question.label, form.errors)


# --- Editing, deleting, reordering --------------------------------------------------------------


def test_editing_a_question(owner_client, builder_program):
    question = QuestionFactory(
        program=builder_program, kind=QuestionKind.SINGLE_CHOICE, choices=["A", "B"], label="Old"
    )
    url = reverse("programs:question_edit", args=[builder_program.slug, question.pk])
    page = owner_client.get(url).content.decode()
    assert 'value="Old"' in page and "A\nB</textarea>" in page

    response = owner_client.post(
        url, question_data(label="New", kind=QuestionKind.MULTIPLE_CHOICE, choices_text="A\nB\nC")
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.label, question.kind, question.choices) == (
        "New",
        QuestionKind.MULTIPLE_CHOICE,
        ["A", "B", "C"],
    )


def test_edit_page_warns_when_people_have_answered(owner_client, builder_program):
    question = QuestionFactory(program=builder_program)
    Participant.objects.create(
        program=builder_program,
        person=ParticipantFactory().person,
        role=Role.MENTEE,
        answers={str(question.pk): "An answer"},
    )
    url = reverse("programs:question_edit", args=[builder_program.slug, question.pk])
    assert "1 person has already answered this question." in page_text(owner_client.get(url))


def test_deleting_a_question_takes_a_post(owner_client, builder_program):
    question = QuestionFactory(program=builder_program, label="Doomed")
    url = reverse("programs:question_delete", args=[builder_program.slug, question.pk])
    assert owner_client.get(url).status_code == 405
    response = owner_client.post(url, follow=True)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert "Question “Doomed” deleted." in page_text(response)


def labels(program, role) -> list[str]:
    questions = Question.objects.filter(program=program, role=role).order_by("position", "pk")
    return [q.label for q in questions]


def move(client, question, direction, **headers):
    url = reverse("programs:question_move", args=[question.program.slug, question.pk])
    return client.post(url, {"direction": direction}, **headers)


def test_moving_questions_within_their_role(owner_client, builder_program):
    # Equal positions, as a template may leave them: moving still works predictably.
    first, second, third = (
        QuestionFactory(program=builder_program, role=Role.MENTOR, label=label, position=0)
        for label in ("First", "Second", "Third")
    )
    QuestionFactory(program=builder_program, role="", label="Common", position=1)

    assert move(owner_client, third, "up").status_code == 302
    assert labels(builder_program, Role.MENTOR) == ["First", "Third", "Second"]
    move(owner_client, first, "down")
    assert labels(builder_program, Role.MENTOR) == ["Third", "First", "Second"]
    move(owner_client, third, "up")  # already first: nothing changes
    move(owner_client, second, "sideways")  # not a direction: nothing changes
    assert labels(builder_program, Role.MENTOR) == ["Third", "First", "Second"]
    assert labels(builder_program, "") == ["Common"]


def test_moving_with_htmx_answers_with_the_reordered_lists(owner_client, builder_program):
    first = QuestionFactory(program=builder_program, role=Role.MENTEE, label="Alpha question")
    QuestionFactory(program=builder_program, role=Role.MENTEE, label="Beta question")
    response = move(owner_client, first, "down", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="builder-questions"')
    assert "<html" not in html
    assert html.index("Beta question") < html.index("Alpha question")
    assert "HX-Request" in response["Vary"]


# --- Preview ------------------------------------------------------------------------------------


def registration_fields(response) -> str:
    """The registration fields' HTML, between the markers both pages put around them."""
    match = re.search(
        r"<!-- registration fields -->(.*)<!-- /registration fields -->",
        response.content.decode(),
        re.S,
    )
    assert match, "registration fields not found"
    return match.group(1)


@pytest.mark.parametrize("role", [Role.MENTOR, Role.MENTEE])
def test_preview_is_exactly_the_participant_form(client, role):
    # An admin manages every program and can also register: both pages for one person.
    admin = AdminFactory()
    program = ProgramFactory(mentor_capacity=3, consent_text="Be kind.")
    QuestionFactory(program=program, role="", kind=QuestionKind.YES_NO, label="Remote?")
    QuestionFactory(
        program=program,
        role=Role.MENTOR,
        kind=QuestionKind.SKILLS,
        label="Offer",
        criterion=Criterion.SKILLS_OFFERED,
    )
    QuestionFactory(
        program=program,
        role=Role.MENTEE,
        kind=QuestionKind.SINGLE_CHOICE,
        label="Pace",
        choices=["Slow", "Fast"],
    )
    client.force_login(admin)
    preview = client.get(reverse("programs:form_preview", args=[program.slug]) + f"?role={role}")
    join = client.get(reverse("enrolment:join", args=[program.slug]) + f"?role={role}")
    assert registration_fields(preview) == registration_fields(join)
    fields = registration_fields(preview)
    assert "Remote?" in fields
    assert ("Offer" in fields) is (role == Role.MENTOR)
    assert ("Pace" in fields) is (role == Role.MENTEE)
    assert ('name="capacity"' in fields) is (role == Role.MENTOR)
    assert 'name="consent"' in fields


def test_preview_checks_answers_but_saves_nothing(owner_client, builder_program):
    question = QuestionFactory(
        program=builder_program, role=Role.MENTEE, kind=QuestionKind.SCALE, label="Energy"
    )
    url = reverse("programs:form_preview", args=[builder_program.slug]) + "?role=mentee"
    invalid = owner_client.post(url, {f"q_{question.pk}": "9"})
    assert "A participant would see 1 problem below." in page_text(invalid)
    valid = owner_client.post(url, {f"q_{question.pk}": "3"})
    assert "These answers are valid. Nothing was saved." in page_text(valid)
    assert not Participant.objects.exists()


def test_preview_offers_every_role_of_the_program(owner_client, builder_program):
    page = page_text(
        owner_client.get(reverse("programs:form_preview", args=[builder_program.slug]))
    )
    assert "Preview: joining as a mentor" in page
    assert "As a mentor" in page and "As a mentee" in page


def test_scale_ends_are_needed_only_for_scale_questions(builder_program):
    errors = errors_for(
        builder_program, kind=QuestionKind.SCALE, scale_min="", scale_max="", criterion=""
    )
    assert errors["scale_max"] == ["Give both ends of the scale."]
    form = QuestionForm(question_data(scale_min="", scale_max=""), program=builder_program)
    assert form.is_valid(), form.errors
    question = form.save()
    assert (question.scale_min, question.scale_max) == (1, 5)


def test_builder_query_count_does_not_grow_with_questions(owner_client, builder_program):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(builder_url(builder_program)).status_code == 200
        return len(queries)

    QuestionFactory(program=builder_program, role=Role.MENTOR)
    few = count()
    for role in ("", Role.MENTOR, Role.MENTEE) * 10:
        QuestionFactory(program=builder_program, role=role, kind=QuestionKind.YES_NO)
    assert count() == few
    assert few <= 8
