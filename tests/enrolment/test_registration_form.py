"""The registration form: one field per question, prefilled from the directory, and every
answer validated on the server, including posts that bypass the browser's form."""

import json
from html import unescape

import pytest

from tests.enrolment.conftest import ProgramFactory, QuestionFactory
from tests.factories import LanguageFactory, PersonFactory, SkillFactory
from trellis.enrolment.forms import RegistrationForm
from trellis.enrolment.models import Participant
from trellis.enrolment.services import enrol_participant
from trellis.people.models import Skill, SkillAlias
from trellis.programs.models import Criterion, QuestionKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(mentor_capacity=3)


def form_for(program, data=None, role=Role.MENTEE, person=None, **kwargs):
    return RegistrationForm(data, program=program, role=role, person=person, **kwargs)


def question(program, kind, **kwargs):
    return QuestionFactory(program=program, kind=kind, **kwargs)


def name(q) -> str:
    return f"q_{q.pk}"


# --- Which questions, in which order ------------------------------------------------------------


def test_form_asks_the_role_questions_after_the_every_role_ones(program):
    mentee_late = question(program, QuestionKind.SHORT_TEXT, role=Role.MENTEE, position=0)
    common = question(program, QuestionKind.SHORT_TEXT, role="", position=5)
    mentor_only = question(program, QuestionKind.SHORT_TEXT, role=Role.MENTOR)
    form = form_for(program)
    assert [q.pk for q in form.questions] == [common.pk, mentee_late.pk]
    assert name(mentor_only) not in form.fields
    assert "capacity" not in form.fields  # mentees take no mentees


def test_questions_of_another_program_are_never_asked(program):
    other = question(ProgramFactory(), QuestionKind.SHORT_TEXT, role="")
    assert name(other) not in form_for(program).fields


# --- Single and multiple choice -----------------------------------------------------------------


def test_single_choice_is_a_radio_group_accepting_only_its_choices(program):
    q = question(program, QuestionKind.SINGLE_CHOICE, choices=["In person", "Video"])
    form = form_for(program)
    html = str(form[name(q)])
    assert 'type="radio"' in html and 'value="Video"' in html
    assert form[name(q)].use_fieldset  # a fieldset with a legend

    assert form_for(program, {name(q): "Video"}).is_valid()
    forged = form_for(program, {name(q): "Carrier pigeon"})
    assert not forged.is_valid()
    assert "Select a valid choice" in forged.errors[name(q)][0]


def test_multiple_choice_enforces_choices_and_the_maximum(program):
    q = question(
        program, QuestionKind.MULTIPLE_CHOICE, choices=["A", "B", "C", "D"], max_selections=2
    )
    assert 'type="checkbox"' in str(form_for(program)[name(q)])
    form = form_for(program, {name(q): ["A", "C"]})
    assert form.is_valid() and form.answers == {str(q.pk): ["A", "C"]}

    too_many = form_for(program, {name(q): ["A", "B", "C"]})
    assert not too_many.is_valid()
    assert too_many.errors[name(q)] == ["Choose at most 2; you chose 3."]
    assert not form_for(program, {name(q): ["A", "Z"]}).is_valid()
    assert not form_for(program, {name(q): ["A", "A", "B"]}).is_valid()


# --- Skills -------------------------------------------------------------------------------------


def test_skills_are_taxonomy_ids_and_typed_names_resolve_through_aliases(program):
    python = SkillFactory(name="Python")
    pm = SkillFactory(name="Product management")
    SkillAlias.objects.create(skill=pm, alias="PM")
    q = question(program, QuestionKind.SKILLS, criterion=Criterion.SKILLS_SOUGHT)

    form = form_for(program, {name(q): [python.pk], f"{name(q)}_other": "pm; python"})
    assert form.is_valid(), form.errors
    assert form.answers == {str(q.pk): [python.pk, pm.pk]}


def test_unknown_typed_skills_join_the_taxonomy_only_when_registering(program):
    q = question(program, QuestionKind.SKILLS, criterion=Criterion.SKILLS_SOUGHT)
    form = form_for(program, {name(q): [], f"{name(q)}_other": "Quantum basket weaving"})
    assert form.is_valid()
    assert form.answers == {str(q.pk): ["Quantum basket weaving"]}
    assert not Skill.objects.filter(name="Quantum basket weaving").exists()  # preview-safe

    participant = enrol_participant(
        program, PersonFactory(), Role.MENTEE, form.answers, consented=False
    )
    skill = Skill.objects.get(name="Quantum basket weaving")
    assert participant.answers == {str(q.pk): [skill.pk]}


def test_skills_reject_unknown_ids_missing_answers_and_too_many(program):
    skills = [SkillFactory() for _ in range(3)]
    q = question(program, QuestionKind.SKILLS, is_required=True, max_selections=2)
    forged = form_for(program, {name(q): [999999]})
    assert not forged.is_valid() and name(q) in forged.errors
    assert not form_for(program, {name(q): ["not-a-number"]}).is_valid()

    empty = form_for(program, {name(q): [], f"{name(q)}_other": " ; "})
    assert not empty.is_valid()
    assert empty.errors[name(q)] == ["Choose at least one skill, or type one."]

    too_many = form_for(program, {name(q): [skills[0].pk, skills[1].pk], f"{name(q)}_other": "Go"})
    assert not too_many.is_valid()
    assert too_many.errors[name(q)] == ["Choose at most 2 skills; you gave 3."]


def test_skills_offered_are_prefilled_from_the_directory_but_not_skills_sought(program):
    person = PersonFactory()
    person.skills.set([SkillFactory(name="Negotiation"), SkillFactory(name="SQL")])
    offered = question(
        program, QuestionKind.SKILLS, role=Role.MENTOR, criterion=Criterion.SKILLS_OFFERED
    )
    sought = question(
        program, QuestionKind.SKILLS, role=Role.MENTOR, criterion=Criterion.SKILLS_SOUGHT
    )
    form = form_for(program, role=Role.MENTOR, person=person)
    assert sorted(form[name(offered)].value()) == sorted(person.skills.values_list("pk", flat=True))
    assert not form[name(sought)].value()


def test_language_choices_are_prefilled_from_the_directory(program):
    person = PersonFactory()
    person.languages.set([LanguageFactory(name="Portuguese"), LanguageFactory(name="English")])
    q = question(
        program,
        QuestionKind.MULTIPLE_CHOICE,
        criterion=Criterion.LANGUAGES,
        choices=["English", "French", "Portuguese"],
    )
    assert form_for(program, person=person)[name(q)].value() == ["English", "Portuguese"]


def test_earlier_answers_prefill_the_form_before_the_directory(program):
    q = question(program, QuestionKind.YES_NO)
    text = question(program, QuestionKind.SHORT_TEXT)
    form = form_for(program, previous_answers={str(q.pk): False, str(text.pk): "Hello"})
    assert form[name(q)].value() == "no"
    assert form[name(text)].value() == "Hello"


# --- Scale --------------------------------------------------------------------------------------


def test_short_scale_is_radio_buttons_bounded_by_its_ends(program):
    q = question(
        program,
        QuestionKind.SCALE,
        scale_min=1,
        scale_max=5,
        scale_min_label="Not at all",
        scale_max_label="Very",
    )
    html = str(form_for(program)[name(q)])
    assert 'type="radio"' in html and "1: Not at all" in html and "5: Very" in html
    valid = form_for(program, {name(q): "4"})
    assert valid.is_valid() and valid.answers == {str(q.pk): 4}
    for forged in ("0", "6", "2.5", "four"):
        assert not form_for(program, {name(q): forged}).is_valid(), forged


def test_long_scale_is_a_bounded_number(program):
    q = question(program, QuestionKind.SCALE, scale_min=0, scale_max=100)
    assert 'type="number"' in str(form_for(program)[name(q)])
    valid = form_for(program, {name(q): "100"})
    assert valid.is_valid() and valid.answers == {str(q.pk): 100}
    assert not form_for(program, {name(q): "101"}).is_valid()
    assert not form_for(program, {name(q): "-1"}).is_valid()


# --- Text and yes/no ----------------------------------------------------------------------------


def test_text_answers_have_maximum_lengths(program):
    short = question(program, QuestionKind.SHORT_TEXT)
    long = question(program, QuestionKind.LONG_TEXT)
    assert 'maxlength="200"' in str(form_for(program)[name(short)])
    assert "<textarea" in str(form_for(program)[name(long)])
    ok = form_for(program, {name(short): "  Grow as a leader  ", name(long): "x" * 2000})
    assert ok.is_valid()
    assert ok.answers[str(short.pk)] == "Grow as a leader"
    assert not form_for(program, {name(short): "x" * 201, name(long): "y"}).is_valid()
    assert not form_for(program, {name(short): "x", name(long): "y" * 2001}).is_valid()


def test_a_required_yes_no_must_be_answered_and_no_is_an_answer(program):
    q = question(program, QuestionKind.YES_NO, is_required=True)
    missing = form_for(program, {})
    assert not missing.is_valid() and missing.errors[name(q)] == ["This field is required."]
    no = form_for(program, {name(q): "no"})
    assert no.is_valid() and no.answers == {str(q.pk): False}
    yes = form_for(program, {name(q): "yes"})
    assert yes.is_valid() and yes.answers == {str(q.pk): True}
    assert not form_for(program, {name(q): "maybe"}).is_valid()


def test_required_questions_are_enforced_and_optional_ones_left_out(program):
    required = question(program, QuestionKind.SHORT_TEXT, is_required=True)
    optional = question(program, QuestionKind.SINGLE_CHOICE, is_required=False, choices=["A", "B"])
    form = form_for(program, {name(required): "   "})
    assert not form.is_valid() and name(required) in form.errors
    form = form_for(program, {name(required): "Yes please"})
    assert form.is_valid() and form.answers == {str(required.pk): "Yes please"}
    assert form[name(optional)].label.endswith("(optional)")


# --- Capacity, consent, safety ------------------------------------------------------------------


def test_mentors_may_lower_their_capacity_within_the_program_maximum(program):
    assert form_for(program, role=Role.MENTOR)["capacity"].value() == 3
    lowered = form_for(program, {"capacity": "2"}, role=Role.MENTOR)
    assert lowered.is_valid() and lowered.capacity == 2
    for forged in ("0", "4", "-1", "lots"):
        assert not form_for(program, {"capacity": forged}, role=Role.MENTOR).is_valid(), forged


def test_no_capacity_question_when_a_mentor_takes_one_mentee():
    program = ProgramFactory(mentor_capacity=1)
    assert "capacity" not in form_for(program, role=Role.MENTOR).fields
    form = form_for(program, {}, role=Role.MENTOR)
    assert form.is_valid() and form.capacity == 1


def test_consent_is_required_when_the_program_has_terms():
    program = ProgramFactory(consent_text="Your answers are shared with your mentor.")
    refused = form_for(program, {})
    assert not refused.is_valid()
    assert refused.errors["consent"] == ["To join, tick the box to agree to the terms."]
    agreed = form_for(program, {"consent": "on"})
    assert agreed.is_valid() and agreed.consented
    assert "consent" not in form_for(ProgramFactory()).fields


def test_help_text_typed_by_managers_is_escaped(program):
    q = question(program, QuestionKind.SHORT_TEXT, help_text="<script>alert(1)</script>")
    html = str(form_for(program)[name(q)].as_field_group())
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_private_questions_say_who_sees_the_answer(program):
    q = question(program, QuestionKind.SHORT_TEXT, is_private=True)
    help_text = unescape(form_for(program)[name(q)].help_text)
    assert "Only the program's managers see this answer." in help_text


def test_answers_of_every_kind_are_stored_as_json(program):
    skill = SkillFactory()
    questions = {
        "single": question(program, QuestionKind.SINGLE_CHOICE, choices=["A", "B"]),
        "multiple": question(program, QuestionKind.MULTIPLE_CHOICE, choices=["A", "B"]),
        "skills": question(program, QuestionKind.SKILLS),
        "scale": question(program, QuestionKind.SCALE),
        "short": question(program, QuestionKind.SHORT_TEXT),
        "long": question(program, QuestionKind.LONG_TEXT),
        "yes_no": question(program, QuestionKind.YES_NO),
    }
    data = {
        name(questions["single"]): "B",
        name(questions["multiple"]): ["A", "B"],
        name(questions["skills"]): [str(skill.pk)],
        name(questions["scale"]): "3",
        name(questions["short"]): "Short",
        name(questions["long"]): "Long\nanswer",
        name(questions["yes_no"]): "no",
    }
    form = form_for(program, data)
    assert form.is_valid(), form.errors
    participant = enrol_participant(
        program, PersonFactory(), Role.MENTEE, form.answers, consented=False
    )
    expected = {
        str(questions["single"].pk): "B",
        str(questions["multiple"].pk): ["A", "B"],
        str(questions["skills"].pk): [skill.pk],
        str(questions["scale"].pk): 3,
        str(questions["short"].pk): "Short",
        str(questions["long"].pk): "Long\nanswer",
        str(questions["yes_no"].pk): False,
    }
    assert json.loads(json.dumps(participant.answers)) == expected
    assert Participant.objects.get(pk=participant.pk).answers == expected


def test_the_service_keeps_only_answers_to_the_roles_questions(program):
    mentee_q = question(program, QuestionKind.SHORT_TEXT, role=Role.MENTEE)
    mentor_q = question(program, QuestionKind.SHORT_TEXT, role=Role.MENTOR)
    participant = enrol_participant(
        program,
        PersonFactory(),
        Role.MENTEE,
        {str(mentee_q.pk): "mine", str(mentor_q.pk): "smuggled", "999999": "ghost"},
        consented=False,
    )
    assert participant.answers == {str(mentee_q.pk): "mine"}
