"""The template library: the shipped files, the file format's validation, syncing them into the
database after migrate, and the template list page."""

import copy
import tomllib
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.urls import reverse

from tests.factories import ProgramManagerFactory
from trellis.matching.criteria import CRITERIA, Criterion, Profile, criterion_matrices
from trellis.programs.forms import CRITERION_LABELS
from trellis.programs.models import Criterion as QuestionCriterion
from trellis.programs.models import Format, ProgramTemplate, QuestionKind
from trellis.programs.services import (
    TEMPLATE_LIBRARY,
    TemplateError,
    load_builtin_templates,
    load_template_file,
    sync_builtin_templates,
    validate_definition,
)

from .conftest import page_text

SHIPPED = sorted(TEMPLATE_LIBRARY.glob("*.toml"))
EXPECTED = {
    "new-hire-buddy": Format.ONE_TO_ONE,
    "career-mentoring": Format.ONE_TO_ONE,
    "leadership-development": Format.ONE_TO_ONE,
    "reverse-mentoring": Format.REVERSE,
    "peer-mentoring": Format.PEER,
    "mentoring-circles": Format.CIRCLE,
    "flash-mentoring": Format.FLASH,
}


def minimal(**changes) -> dict:
    """The smallest valid definition, with changes."""
    data = {
        "key": "tiny",
        "name": "Tiny",
        "format": "one_to_one",
        "model": "evergreen",
        "matching_mode": "admin",
        "meeting_cadence": "monthly",
        "matching": {"weights": {"skills": 1}},
    }
    data.update(changes)
    return data


def problems(data) -> str:
    with pytest.raises(TemplateError) as raised:
        validate_definition(data, source="tiny.toml")
    return str(raised.value)


# --- The shipped files -------------------------------------------------------------------------


def test_the_library_ships_the_seven_templates():
    assert {d["key"]: d["format"] for d in load_builtin_templates()} == EXPECTED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_file_is_valid_and_complete(path):
    definition = load_template_file(path)
    assert definition["key"] == path.stem
    assert definition["name"] and definition["summary"] and definition["description"]
    assert definition["north_star"] and definition["consent_text"]
    roles = {"peer"} if definition["format"] == Format.PEER else {"mentor", "mentee"}
    for role in roles:
        asked = [q for q in definition["questions"] if q["role"] in (role, "")]
        assert asked, f"no question for {role}s"
    assert any(q["criterion"] for q in definition["questions"])
    kinds = {s["kind"] for s in definition["surveys"]}
    assert "first_meeting_fit" in kinds
    assert kinds & {"end_of_program", "periodic"}
    assert definition["okrs"] and all(o["key_results"] for o in definition["okrs"])
    if definition["model"] == "cohort":
        assert definition["duration_weeks"]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_matching_recipe_runs_in_the_engine(path):
    definition = load_template_file(path)
    matching = definition["matching"]
    criteria = [
        Criterion(name, weight, matching["options"].get(name, {}))
        for name, weight in matching["weights"].items()
    ]
    mentees = [Profile(id="a", department="Sales", level=2.0, skills_sought=frozenset({"sql"}))]
    mentors = [Profile(id="b", department="Finance", level=4.0, skills_offered=frozenset({"sql"}))]
    matrices = criterion_matrices(mentees, mentors, criteria)
    assert set(matrices) == set(matching["weights"])


def test_survey_questions_carry_comparable_keys():
    for definition in load_builtin_templates():
        end = [s for s in definition["surveys"] if s["kind"] in ("end_of_program", "periodic")]
        keys = {q["key"] for s in end for q in s["questions"]}
        assert "satisfaction" in keys, definition["key"]
    career = load_template_file(TEMPLATE_LIBRARY / "career-mentoring.toml")
    end_of_program = next(s for s in career["surveys"] if s["kind"] == "end_of_program")
    keys = [q["key"] for q in end_of_program["questions"]]
    assert {"satisfaction", "learning", "relationship_quality", "recommend"} <= set(keys)
    recommend = next(q for q in end_of_program["questions"] if q["key"] == "recommend")
    assert recommend["scale"] == {
        "min": 0,
        "max": 10,
        "min_label": "Not at all likely",
        "max_label": "Extremely likely",
    }


def test_settings_form_labels_every_criterion_the_engine_knows():
    assert set(CRITERION_LABELS) == set(CRITERIA)


def test_normalised_definitions_read_back_unchanged():
    for definition in load_builtin_templates():
        again = validate_definition(copy.deepcopy(definition), source="again")
        assert again == definition


# --- Validation --------------------------------------------------------------------------------


def test_minimal_definition_gets_defaults():
    definition = validate_definition(minimal(), source="tiny.toml")
    assert definition["mentor_capacity"] == 1
    assert definition["allow_both_roles"] is False
    assert definition["questions"] == [] and definition["okrs"] == []
    assert definition["eligibility"]["mentor_min_level"] is None


def test_unknown_key_names_the_file_and_the_key():
    message = problems(minimal(questions=[{"kind": "short_text", "lable": "Typo"}]))
    assert "tiny.toml: questions #1.lable: unknown key" in message
    assert "tiny.toml: questions #1.label: is required" in message


def test_every_problem_is_reported_at_once():
    message = problems(minimal(format="group", meeting_cadence="daily"))
    assert "tiny.toml: format: 'group' is not allowed" in message
    assert "one_to_one, circle, peer, reverse, flash" in message
    assert "tiny.toml: meeting_cadence: 'daily' is not allowed" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"key": "Not A Slug"}, "key: 'Not A Slug' must be lower-case letters"),
        ({"name": ""}, "name: must not be empty"),
        ({"mentor_capacity": 0}, "mentor_capacity: 0 is outside the allowed range 1 to 50"),
        ({"mentor_capacity": "two"}, "mentor_capacity: expected a whole number"),
        ({"allow_both_roles": "yes"}, "allow_both_roles: expected true or false"),
        ({"circle_size": 5}, "circle_size: only circle programs have a circle size"),
        ({"format": "circle"}, "circle_size: is required"),
        ({"duration_weeks": 12}, "duration_weeks: evergreen programs are always open"),
        ({"matching": {"weights": {"skills": 0}}}, "matching.weights: give at least one"),
        ({"matching": {"weights": {"chemistry": 1}}}, "matching.weights.chemistry: unknown key"),
        (
            {"matching": {"weights": {"skills": 1}, "options": {"skills": {"speed": 2}}}},
            "matching.options.skills.speed: unknown key; expected one of: partial",
        ),
        (
            {"matching": {"weights": {"skills": 1}, "options": {"department": {"prefer": "x"}}}},
            'matching.options.department.prefer: must be "same" or "different"',
        ),
        (
            {
                "matching": {
                    "weights": {"seniority": 1},
                    "options": {"seniority": {"min_gap": 3, "max_gap": 1}},
                }
            },
            "matching.options.seniority: min_gap (3) must not exceed max_gap (1)",
        ),
        (
            {"matching": {"weights": {"language": 1}, "options": {"language": {"x": 1}}}},
            "matching.options.language: the language criterion has no options",
        ),
        (
            {"eligibility": {"mentor_min_level": 4, "mentee_min_level": 2}},
            "eligibility.mentee_min_level: unknown key",
        ),
    ],
)
def test_settings_are_validated(changes, expected):
    assert f"tiny.toml: {expected}" in problems(minimal(**changes))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ({"kind": "dropdown", "label": "Q"}, "questions #1.kind: 'dropdown' is not allowed"),
        (
            {"kind": "single_choice", "label": "Q"},
            "questions #1.choices: a single_choice question needs at least 2 choices",
        ),
        (
            {"kind": "single_choice", "label": "Q", "choices": ["A", "a"]},
            "questions #1.choices: contains the same entry twice",
        ),
        (
            {"kind": "short_text", "label": "Q", "choices": ["A", "B"]},
            "questions #1.choices: a short_text question has no choices",
        ),
        (
            {"kind": "scale", "label": "Q", "scale": {"min": 5, "max": 1}},
            "questions #1.scale: min (5) must be below max (1)",
        ),
        (
            {"kind": "yes_no", "label": "Q", "scale": {"min": 1, "max": 3}},
            "questions #1.scale: only scale questions have a scale",
        ),
        (
            {"kind": "multiple_choice", "label": "Q", "choices": ["A", "B"], "max_selections": 3},
            "questions #1.max_selections: 3 is outside the allowed range 1 to 2",
        ),
        (
            {"kind": "short_text", "label": "Q", "criterion": "chemistry"},
            "questions #1.criterion: 'chemistry' is not allowed",
        ),
        (
            {"kind": "short_text", "label": "Q", "role": "peer"},
            "questions #1.role: 'peer' is not allowed; use one of: mentor, mentee",
        ),
    ],
)
def test_questions_are_validated(question, expected):
    assert f"tiny.toml: {expected}" in problems(minimal(questions=[question]))


def test_peer_programs_ask_peers():
    message = problems(
        minimal(format="peer", questions=[{"kind": "short_text", "label": "Q", "role": "mentor"}])
    )
    assert "questions #1.role: 'mentor' is not allowed; use one of: peer" in message


def test_question_defaults():
    definition = validate_definition(
        minimal(
            questions=[
                {"kind": "scale", "label": "How much?"},
                {"kind": "long_text", "label": "Secret", "private": True, "required": False},
            ]
        ),
        source="tiny.toml",
    )
    scale, secret = definition["questions"]
    assert scale["role"] == "" and scale["required"] is True
    assert scale["scale"] == {"min": 1, "max": 5, "min_label": "", "max_label": ""}
    assert secret["private"] is True and secret["required"] is False
    assert secret["criterion"] == QuestionCriterion.NONE
    assert secret["kind"] == QuestionKind.LONG_TEXT


@pytest.mark.parametrize(
    ("surveys", "expected"),
    [
        ([{"kind": "weekly"}], "surveys #1.kind: 'weekly' is not allowed"),
        ([{"kind": "periodic", "questions": [{}]}], "surveys #1.every_weeks: is required"),
        (
            [{"kind": "midpoint", "every_weeks": 4}],
            "surveys #1.every_weeks: only periodic surveys repeat",
        ),
        ([{"kind": "midpoint"}], "surveys #1: a survey needs at least one question"),
        (
            [
                {
                    "kind": "midpoint",
                    "questions": [
                        {"key": "fit", "kind": "yes_no", "label": "A"},
                        {"key": "fit", "kind": "yes_no", "label": "B"},
                    ],
                }
            ],
            "surveys #1.questions #2.key: is used twice in this survey",
        ),
        (
            [{"kind": "midpoint", "questions": [{"key": "x", "kind": "skills", "label": "A"}]}],
            "surveys #1.questions #1.kind: 'skills' is not allowed",
        ),
    ],
)
def test_surveys_are_validated(surveys, expected):
    assert f"tiny.toml: {expected}" in problems(minimal(surveys=surveys))


@pytest.mark.parametrize(
    ("key_result", "expected"),
    [
        ({"title": "X", "target": 0}, "okrs #1.key_results #1.target: must be above 0"),
        ({"title": "X"}, "okrs #1.key_results #1.target: is required"),
        (
            {"title": "X", "target": 5, "metric": "happiness"},
            "okrs #1.key_results #1.metric: 'happiness' is not allowed",
        ),
        (
            {"title": "X", "target": 5, "metric": "match_rate", "unit": "people"},
            "okrs #1.key_results #1.unit: match_rate is measured in '%', not 'people'",
        ),
        (
            {"title": "X", "target": 5, "deadline_weeks": 2, "deadline_days": 3},
            "okrs #1.key_results #1: give deadline_weeks or deadline_days, not both",
        ),
    ],
)
def test_key_results_are_validated(key_result, expected):
    okrs = [{"objective": "Grow", "key_results": [key_result]}]
    assert f"tiny.toml: {expected}" in problems(minimal(okrs=okrs))


def test_metric_key_results_take_the_metric_unit():
    okrs = [
        {
            "objective": "Grow",
            "key_results": [{"title": "X", "target": 3, "metric": "average_meeting_rating"}],
        }
    ]
    definition = validate_definition(minimal(okrs=okrs), source="tiny.toml")
    assert definition["okrs"][0]["key_results"][0]["unit"] == "out of 4"


def test_file_key_must_match_its_name(tmp_path):
    path = tmp_path / "other-name.toml"
    path.write_text('key = "tiny"\nname = "Tiny"\n', encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load_template_file(path)
    assert "other-name.toml: " in str(raised.value)

    path.write_text(
        (TEMPLATE_LIBRARY / "flash-mentoring.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(TemplateError) as raised:
        load_template_file(path)
    assert str(raised.value) == (
        "other-name.toml: key: 'flash-mentoring' must match the file name ('other-name')"
    )


def test_broken_toml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('key = "broken"\nname = "Unclosed\n', encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load_template_file(path)
    assert str(raised.value).startswith("broken.toml: not valid TOML:")
    assert "line 2" in str(raised.value)


# --- Syncing into the database -----------------------------------------------------------------


def copy_library(tmp_path: Path, keys) -> Path:
    for key in keys:
        (tmp_path / f"{key}.toml").write_text(
            (TEMPLATE_LIBRARY / f"{key}.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    return tmp_path


@pytest.mark.django_db
def test_migrate_installs_the_built_in_templates():
    # The test database was built by migrate, whose post_migrate handler synced the files.
    assert set(
        ProgramTemplate.objects.filter(is_builtin=True).values_list("key", flat=True)
    ) == set(EXPECTED)
    ProgramTemplate.objects.all().delete()
    config = global_apps.get_app_config("programs")
    post_migrate.send(
        sender=config,
        app_config=config,
        verbosity=0,
        interactive=False,
        using="default",
        apps=global_apps,
        plan=[],
    )
    assert ProgramTemplate.objects.filter(is_builtin=True).count() == 7
    buddy = ProgramTemplate.objects.get(key="new-hire-buddy")
    assert buddy.name == "New-hire buddy"
    assert buddy.definition == load_template_file(TEMPLATE_LIBRARY / "new-hire-buddy.toml")


@pytest.mark.django_db
def test_sync_updates_changed_files_and_removes_deleted_ones(tmp_path):
    library = copy_library(tmp_path, ["peer-mentoring", "flash-mentoring"])
    ProgramTemplate.objects.all().delete()
    assert sorted(sync_builtin_templates(directory=library)) == [
        "flash-mentoring",
        "peer-mentoring",
    ]
    assert sync_builtin_templates(directory=library)  # idempotent
    assert ProgramTemplate.objects.count() == 2

    text = (library / "peer-mentoring.toml").read_text(encoding="utf-8")
    (library / "peer-mentoring.toml").write_text(
        text.replace('name = "Peer mentoring"', 'name = "Peer learning"'), encoding="utf-8"
    )
    (library / "flash-mentoring.toml").unlink()
    sync_builtin_templates(directory=library)
    assert list(ProgramTemplate.objects.values_list("key", "name")) == [
        ("peer-mentoring", "Peer learning")
    ]
    definition = ProgramTemplate.objects.get().definition
    assert definition["name"] == "Peer learning"
    assert definition == validate_definition(
        tomllib.loads((library / "peer-mentoring.toml").read_text(encoding="utf-8")), source="x"
    )


@pytest.mark.django_db
def test_sync_leaves_a_saved_template_with_a_built_in_key_alone(tmp_path, caplog):
    library = copy_library(tmp_path, ["peer-mentoring"])
    ProgramTemplate.objects.all().delete()
    saved = ProgramTemplate.objects.create(
        key="peer-mentoring", name="Our own", is_builtin=False, definition={"mine": True}
    )
    assert sync_builtin_templates(directory=library) == []
    saved.refresh_from_db()
    assert (saved.name, saved.definition, saved.is_builtin) == ("Our own", {"mine": True}, False)
    assert "uses the key of a built-in template" in caplog.text


@pytest.mark.django_db
def test_a_bad_file_stops_the_sync_with_its_name(tmp_path):
    library = copy_library(tmp_path, ["peer-mentoring"])
    (library / "zz-bad.toml").write_text('key = "zz-bad"\nname = "Bad"\nformat = "group"\n')
    with pytest.raises(TemplateError) as raised:
        sync_builtin_templates(directory=library)
    assert "zz-bad.toml: format: 'group' is not allowed" in str(raised.value)


# --- The template list page --------------------------------------------------------------------


TEMPLATES_URL = reverse("programs:templates")


def test_program_manager_sees_every_template(manager_client, builtin_templates, org_admin):
    ProgramTemplate.objects.create(
        key="sales-mentoring",
        name="Sales mentoring",
        summary="Our own recipe.",
        definition=minimal(key="sales-mentoring", name="Sales mentoring"),
        created_by=org_admin,
    )
    response = manager_client.get(TEMPLATES_URL)
    text = page_text(response)
    for template in builtin_templates.values():
        assert template.name in text
        assert f'href="{reverse("programs:create", args=[template.key])}"' in (
            response.content.decode()
        )
    assert "Sales mentoring" in text
    assert f"Saved by {org_admin.get_full_name()}" in text
    assert "Format Mentoring circles (group)" in text
    assert "Model Cohort" in text


def test_a_broken_saved_template_is_listed_but_not_usable(manager_client, builtin_templates):
    ProgramTemplate.objects.create(key="broken", name="Broken one", definition={"key": "broken"})
    response = manager_client.get(TEMPLATES_URL)
    assert response.status_code == 200
    assert "Broken one" in page_text(response)
    assert "cannot be used until it is fixed" in page_text(response)
    assert reverse("programs:create", args=["broken"]) not in response.content.decode()


def test_participant_cannot_open_the_template_library(participant_client, builtin_templates):
    assert participant_client.get(TEMPLATES_URL).status_code == 403


def test_the_example_in_the_documentation_is_valid():
    docs = Path(__file__).resolve().parents[2] / "docs" / "programs.md"
    example = docs.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    definition = validate_definition(tomllib.loads(example), source="docs/programs.md")
    assert definition["key"] == "tiny"
    assert definition["okrs"][0]["key_results"][0]["unit"] == "%"


def test_template_library_query_count_does_not_grow(
    manager_client, builtin_templates, django_assert_max_num_queries
):
    for n in range(5):
        ProgramTemplate.objects.create(
            key=f"saved-{n}",
            name=f"Saved {n}",
            definition=minimal(key=f"saved-{n}", name=f"Saved {n}"),
            created_by=ProgramManagerFactory(),
        )
    # Session, user, the viewer's person (navigation), the templates with their authors.
    with django_assert_max_num_queries(4):
        response = manager_client.get(TEMPLATES_URL)
    assert page_text(response).count("Saved by") == 5
