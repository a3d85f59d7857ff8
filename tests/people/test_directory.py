"""The directory page: search, filters, pagination, htmx partial, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    DepartmentFactory,
    LocationFactory,
    PersonFactory,
    ProgramManagerFactory,
    SkillFactory,
)
from tests.helpers import page_text
from trellis.people.selectors import DIRECTORY_PAGE_SIZE, filter_options, search_directory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("people:directory")


def listed_names(response) -> list[str]:
    return [person.full_name for person in response.context["page_obj"].object_list]


@pytest.fixture
def people(participant):
    """A small directory: two departments, two offices, a few skills, one leaver."""
    viewer = participant.person
    viewer.title = "Analyst"
    viewer.save()
    engineering = DepartmentFactory(name="Engineering")
    finance = DepartmentFactory(name="Finance")
    london = LocationFactory(name="London")
    lisbon = LocationFactory(name="Lisbon", time_zone="Europe/Lisbon")
    python = SkillFactory(name="Python")
    sql = SkillFactory(name="SQL")
    coaching = SkillFactory(name="Coaching")
    ada = PersonFactory(
        first_name="Ada",
        last_name="Lovelace",
        title="Principal Engineer",
        department=engineering,
        location=london,
        employee_id="E-ADA",
        email="ada.lovelace@example.com",
    )
    ada.skills.set([python, sql])
    grace = PersonFactory(
        first_name="Grace",
        last_name="Hopper",
        title="Staff Engineer",
        department=engineering,
        location=lisbon,
    )
    grace.skills.set([python, coaching])
    mary = PersonFactory(
        first_name="Mary",
        last_name="Jackson",
        title="Controller",
        department=finance,
        location=lisbon,
    )
    mary.skills.set([sql])
    gone = PersonFactory(
        first_name="Alan", last_name="Gone", department=engineering, is_active=False
    )
    return {
        "ada": ada,
        "grace": grace,
        "mary": mary,
        "gone": gone,
        "viewer": viewer,
        "engineering": engineering,
        "finance": finance,
        "london": london,
        "lisbon": lisbon,
        "python": python,
        "sql": sql,
        "coaching": coaching,
    }


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_directory_lists_active_people_with_their_details(participant_client, people):
    response = participant_client.get(DIRECTORY)
    assert set(listed_names(response)) == {
        "Grace Hopper",
        "Mary Jackson",
        "Ada Lovelace",
        people["viewer"].full_name,
    }
    html = response.content.decode()
    assert f'href="{reverse("people:profile", args=[people["ada"].pk])}"' in html
    assert "Principal Engineer" in html
    assert '<span class="tag">Python</span>' in html
    assert "4 people in the directory" in page_text(response)  # three above plus the viewer


def test_inactive_people_are_hidden(participant_client, people):
    response = participant_client.get(DIRECTORY, {"q": "Gone"})
    assert listed_names(response) == []
    assert "Alan Gone" not in response.content.decode()


def test_participant_cannot_ask_for_inactive_people(participant_client, people):
    response = participant_client.get(DIRECTORY, {"inactive": "1"})
    assert "Alan Gone" not in listed_names(response)
    assert 'name="inactive"' not in response.content.decode()


def test_program_manager_can_include_people_who_have_left(client, people):
    client.force_login(ProgramManagerFactory())
    assert "Alan Gone" not in listed_names(client.get(DIRECTORY))
    response = client.get(DIRECTORY, {"inactive": "1"})
    assert "Alan Gone" in listed_names(response)
    assert "Left</span>" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ada", ["Ada Lovelace"]),
        ("LOVELACE", ["Ada Lovelace"]),
        ("ada love", ["Ada Lovelace"]),  # every word must match, in any field
        ("ada.lovelace@", ["Ada Lovelace"]),  # email
        ("e-ada", ["Ada Lovelace"]),  # employee ID
        ("engineer", ["Grace Hopper", "Ada Lovelace"]),  # title
        ("ada hopper", []),
    ],
)
def test_search_matches_name_email_title_and_employee_id(
    participant_client, people, query, expected
):
    response = participant_client.get(DIRECTORY, {"q": query})
    assert listed_names(response) == expected


def test_department_filter(participant_client, people):
    response = participant_client.get(DIRECTORY, {"department": people["finance"].pk})
    assert listed_names(response) == ["Mary Jackson"]


def test_location_filter(participant_client, people):
    response = participant_client.get(DIRECTORY, {"location": people["lisbon"].pk})
    assert listed_names(response) == ["Grace Hopper", "Mary Jackson"]


def test_skills_filter_needs_every_selected_skill(participant_client, people):
    python, sql = people["python"].pk, people["sql"].pk
    assert listed_names(participant_client.get(DIRECTORY, {"skill": [python]})) == [
        "Grace Hopper",
        "Ada Lovelace",
    ]
    assert listed_names(participant_client.get(DIRECTORY, {"skill": [python, sql]})) == [
        "Ada Lovelace"
    ]
    html = participant_client.get(DIRECTORY).content.decode()
    assert "all</strong> the selected skills" in html


def test_filters_combine_with_search(participant_client, people):
    response = participant_client.get(
        DIRECTORY,
        {"q": "engineer", "location": people["lisbon"].pk, "skill": [people["coaching"].pk]},
    )
    assert listed_names(response) == ["Grace Hopper"]
    html = response.content.decode()
    assert "1 person found" in page_text(response)
    assert f'<option value="{people["lisbon"].pk}" selected>' in html
    assert f'<option value="{people["coaching"].pk}" selected>' in html
    assert 'value="engineer"' in html


def test_filter_options_count_active_people(people):
    options = filter_options()
    counts = {d.name: d.people_count for d in options.departments}
    assert counts["Engineering"] == 2  # Alan has left
    assert counts["Finance"] == 1
    skills = {s.name: s.people_count for s in options.skills}
    assert skills == {"Python": 2, "SQL": 2, "Coaching": 1}


def test_malformed_filters_are_ignored_not_errors(participant_client, people):
    response = participant_client.get(
        DIRECTORY,
        {
            "department": "abc",
            "location": "99999999999999999999999",
            "skill": ["x", "-1"],
            "page": "lots",
        },
    )
    assert response.status_code == 200
    assert len(listed_names(response)) == 4


def test_unknown_department_lists_nobody(participant_client, people):
    response = participant_client.get(DIRECTORY, {"department": 999999})
    assert listed_names(response) == []
    assert "No one matches" in response.content.decode()


def test_pagination_keeps_the_filters(participant_client):
    engineering = DepartmentFactory(name="Engineering")
    PersonFactory.create_batch(DIRECTORY_PAGE_SIZE + 5, department=engineering, title="Analyst")
    PersonFactory.create_batch(3, department=engineering, title="Designer")
    params = {"q": "analyst", "department": engineering.pk}

    first = participant_client.get(DIRECTORY, params)
    assert len(listed_names(first)) == DIRECTORY_PAGE_SIZE
    html = first.content.decode()
    assert f"{DIRECTORY_PAGE_SIZE + 5} people found, showing 1\u201325" in page_text(first)
    assert "Page 1 of 2" in html
    next_link = f"?q=analyst&amp;department={engineering.pk}&amp;page=2"
    assert f'href="{next_link}"' in html
    assert f'hx-get="{next_link}"' in html

    second = participant_client.get(DIRECTORY, {**params, "page": 2})
    assert len(listed_names(second)) == 5
    assert set(listed_names(first)).isdisjoint(listed_names(second))
    assert "Page 2 of 2" in second.content.decode()


def test_page_past_the_end_shows_the_last_page(participant_client):
    PersonFactory.create_batch(DIRECTORY_PAGE_SIZE + 1)
    response = participant_client.get(DIRECTORY, {"page": 99})
    assert response.context["page_obj"].number == 2


def test_htmx_request_gets_only_the_results_partial(participant_client, people):
    response = participant_client.get(DIRECTORY, {"q": "grace"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Grace Hopper" in html
    assert "Ada Lovelace" not in html
    assert "1 person found" in page_text(response)
    assert "<html" not in html
    assert "<form" not in html
    assert 'id="results"' not in html  # the target element stays in the page; only its inside
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(participant_client, people):
    response = participant_client.get(
        DIRECTORY,
        {"q": "grace"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" in html
    assert 'id="results"' in html


def test_full_page_has_live_search_form_and_live_region(participant_client, people):
    html = participant_client.get(DIRECTORY).content.decode()
    assert 'hx-trigger="input changed delay:300ms, change, submit"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert '<div id="results" class="directory-results" aria-live="polite">' in html
    for control in ("id_q", "id_department", "id_location", "id_skill"):
        assert f'<label for="{control}">' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_directory_query_count_does_not_grow_with_people(
    participant_client, django_assert_max_num_queries
):
    skills = SkillFactory.create_batch(4)
    departments = DepartmentFactory.create_batch(3)
    for i in range(60):
        person = PersonFactory(department=departments[i % 3])
        person.skills.set(skills[: i % 4 + 1])

    # Session, user, the viewer's person; filter lists and their counts (6); count, page, and
    # the skills of the people on the page.
    with django_assert_max_num_queries(12):
        response = participant_client.get(DIRECTORY)
    assert len(listed_names(response)) == DIRECTORY_PAGE_SIZE

    with django_assert_max_num_queries(5):
        participant_client.get(
            DIRECTORY, {"skill": [s.pk for s in skills[:2]]}, headers={"HX-Request": "true"}
        )


def test_search_directory_runs_three_queries_per_page(people):
    with CaptureQueriesContext(connection) as queries:
        page = search_directory("", skill_ids=[people["python"].pk])
        rows = [
            (p.full_name, p.department.name, p.location.name, list(p.skills.all())) for p in page
        ]
    assert len(rows) == 2
    assert len(queries) == 3
