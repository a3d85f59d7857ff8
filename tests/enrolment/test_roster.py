"""The program manager's roster: filters (answers included), counts, htmx, bulk actions, the
participant page with private answers, and who may open any of the manager pages."""

import pytest
from django.urls import reverse

from tests.enrolment import roster_factories
from tests.enrolment.roster_factories import (
    ParticipantRowFactory,
    ProgramInvitationFactory,
    QuestionFactory,
    flash,
    listed,
    page_text,
)
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    ProgramManagerFactory,
    SkillFactory,
)
from trellis.enrolment.models import ParticipantStatus
from trellis.enrolment.roster import ROSTER_PAGE_SIZE
from trellis.programs.models import QuestionKind, Role

pytestmark = pytest.mark.django_db

# Shared fixtures (see roster_factories): a program manager and a small known program.
manager = roster_factories.manager
manager_client = roster_factories.manager_client
roster = roster_factories.roster


def roster_url(program) -> str:
    return reverse("enrolment:participants", args=[program.slug])


def bulk_url(program) -> str:
    return reverse("enrolment:bulk_action", args=[program.slug])


# --- Listing and filters -------------------------------------------------------------------------


def test_roster_lists_this_programs_participants_only(manager_client, roster):
    response = manager_client.get(roster_url(roster["program"]))
    assert listed(response) == ["Grace Hopper", "Mary Jackson", "Ada Lovelace", "Alan Turing"]
    text = page_text(response)
    assert "Olive Stranger" not in text
    assert "4 participants in this program" in text
    html = response.content.decode()
    detail = reverse("enrolment:participant_detail", args=["career", roster["grace"].pk])
    assert f'href="{detail}"' in html
    assert f'name="participant" value="{roster["grace"].pk}"' in html
    assert "grace.hopper@example.com" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "mentor"}, ["Ada Lovelace"]),
        ({"role": "mentee"}, ["Grace Hopper", "Mary Jackson", "Alan Turing"]),
        ({"status": "waitlisted"}, ["Mary Jackson"]),
        ({"status": "withdrawn"}, ["Alan Turing"]),
        ({"q": "grace"}, ["Grace Hopper"]),
        ({"q": "HOPPER grace"}, ["Grace Hopper"]),
        ({"q": "mary.jackson@"}, ["Mary Jackson"]),  # email
        ({"q": "ada hopper"}, []),
        ({"role": "mentee", "status": "applied"}, ["Grace Hopper"]),
    ],
)
def test_filters_by_role_status_and_search(manager_client, roster, params, expected):
    assert listed(manager_client.get(roster_url(roster["program"]), params)) == expected


def test_filters_by_department_and_location(manager_client, roster):
    url = roster_url(roster["program"])
    assert listed(manager_client.get(url, {"department": roster["finance"].pk})) == [
        "Mary Jackson",
        "Alan Turing",
    ]
    assert listed(manager_client.get(url, {"location": roster["lisbon"].pk})) == [
        "Grace Hopper",
        "Mary Jackson",
    ]
    both = manager_client.get(
        url, {"department": roster["engineering"].pk, "location": roster["london"].pk}
    )
    assert listed(both) == ["Ada Lovelace"]
    assert "1 participant match the filters" in page_text(both)


def test_filter_by_single_choice_answer(manager_client, roster):
    answer = f"{roster['format'].pk}:Video call"
    response = manager_client.get(roster_url(roster["program"]), {"answer": answer})
    assert listed(response) == ["Grace Hopper"]
    html = response.content.decode()
    assert f'<option value="{answer}" selected>Video call</option>' in html


def test_filter_by_multiple_choice_answer_matches_any_ticked_value(manager_client, roster):
    url = roster_url(roster["program"])
    topics = roster["topics"].pk
    assert listed(manager_client.get(url, {"answer": f"{topics}:Leadership"})) == ["Grace Hopper"]
    assert listed(manager_client.get(url, {"answer": f"{topics}:Technical"})) == ["Mary Jackson"]
    assert listed(manager_client.get(url, {"answer": f"{topics}:Career"})) == ["Grace Hopper"]


def test_filter_by_skill_answer(manager_client, roster):
    url = roster_url(roster["program"])
    question = roster["skills_sought"].pk
    assert listed(manager_client.get(url, {"answer": f"{question}:{roster['sql'].pk}"})) == [
        "Grace Hopper",
        "Mary Jackson",
    ]
    assert listed(manager_client.get(url, {"answer": f"{question}:{roster['python'].pk}"})) == [
        "Grace Hopper"
    ]
    # 1 must not match 11, 21 ... nor a skill id inside another question's answers.
    lone = SkillFactory(name="Lone skill")
    assert listed(manager_client.get(url, {"answer": f"{question}:{lone.pk}"})) == []


def test_filter_by_yes_no_answer(manager_client, roster):
    url = roster_url(roster["program"])
    relocate = roster["relocate"].pk
    assert listed(manager_client.get(url, {"answer": f"{relocate}:yes"})) == ["Mary Jackson"]
    assert listed(manager_client.get(url, {"answer": f"{relocate}:no"})) == ["Ada Lovelace"]


def test_answer_filter_combines_with_other_filters(manager_client, roster):
    response = manager_client.get(
        roster_url(roster["program"]),
        {"answer": f"{roster['skills_sought'].pk}:{roster['sql'].pk}", "status": "waitlisted"},
    )
    assert listed(response) == ["Mary Jackson"]


def test_answer_filter_lists_choice_skill_and_yes_no_questions(manager_client, roster):
    html = manager_client.get(roster_url(roster["program"])).content.decode()
    assert '<optgroup label="How do you prefer to meet?">' in html
    assert f'<option value="{roster["topics"].pk}:Leadership">Leadership</option>' in html
    skill_option = f"{roster['skills_sought'].pk}:{roster['python'].pk}"
    assert f'<option value="{skill_option}">Python</option>' in html
    assert f'<option value="{roster["relocate"].pk}:yes">Yes</option>' in html
    # Free-text questions cannot be filtered on one value.
    assert f'value="{roster["private"].pk}:' not in html


@pytest.mark.parametrize(
    "answer",
    ["nonsense", "999999:Career", "{topics}:Not a choice", "{skills}:abc", "{private}:anything"],
)
def test_malformed_or_foreign_answer_filters_are_ignored(manager_client, roster, answer):
    answer = answer.format(
        topics=roster["topics"].pk,
        skills=roster["skills_sought"].pk,
        private=roster["private"].pk,
    )
    response = manager_client.get(
        roster_url(roster["program"]),
        {"answer": answer, "department": "abc", "page": "lots", "role": "boss"},
    )
    assert response.status_code == 200
    assert len(listed(response)) == 4


def test_answer_filter_cannot_use_another_programs_question(manager_client, roster):
    foreign = QuestionFactory(
        program=roster["other_program"], kind=QuestionKind.SINGLE_CHOICE, choices=["A"]
    )
    response = manager_client.get(roster_url(roster["program"]), {"answer": f"{foreign.pk}:A"})
    assert len(listed(response)) == 4


def test_header_counts_statuses_roles_and_mentor_places(manager_client, roster):
    response = manager_client.get(roster_url(roster["program"]))
    summary = response.context["summary"]
    assert summary.total == 4
    assert {c.value: c.count for c in summary.by_status} == {
        "applied": 1,
        "approved": 1,
        "waitlisted": 1,
        "matched": 0,
        "withdrawn": 1,
        "declined": 0,
    }
    assert {c.value: c.count for c in summary.by_role} == {"mentor": 1, "mentee": 3}
    # Ada offers the program's default of 2 places; Grace and Mary want one (Alan withdrew).
    assert (summary.mentor_slots, summary.mentee_demand) == (2, 2)
    text = page_text(response)
    assert "2 / 2 mentor slots / active mentees" in text
    assert "Mentees outnumber mentor slots" not in text


def test_header_warns_when_mentees_outnumber_mentor_places(manager_client, roster):
    ParticipantRowFactory.create_batch(
        2, program=roster["program"], role=Role.MENTEE, status=ParticipantStatus.APPLIED
    )
    text = page_text(manager_client.get(roster_url(roster["program"])))
    assert "Mentees outnumber mentor slots: 4 active mentees for 2 slots, 2 short." in text


def test_htmx_request_gets_only_the_results_partial(manager_client, roster):
    response = manager_client.get(
        roster_url(roster["program"]), {"q": "grace"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Grace Hopper" in html
    assert "Ada Lovelace" not in html
    assert "<html" not in html
    assert 'id="results"' not in html
    assert "<form" not in html
    assert 'name="return_query" value="q=grace"' in html
    export = reverse("enrolment:export", args=["career"])
    assert f'href="{export}?q=grace"' in html  # the export follows the live filters
    assert "HX-Request" in response["Vary"]


def test_full_page_has_live_filters_accessible_controls_and_no_inline_code(manager_client, roster):
    html = manager_client.get(roster_url(roster["program"])).content.decode()
    assert 'hx-trigger="input changed delay:300ms, change, submit"' in html
    assert 'hx-target="#results"' in html
    for control in ("id_q", "id_role", "id_status", "id_department", "id_location", "id_answer"):
        assert f'<label for="{control}">' in html
    ada = roster["ada"]
    assert (
        f'<label class="row-select"><input type="checkbox" name="participant" value="{ada.pk}">'
        '<span class="visually-hidden">Select Ada Lovelace (Mentor)</span></label>'
    ) in html
    assert "style=" not in html
    assert "<script>" not in html


def test_pagination_keeps_the_filters(manager_client, roster):
    program = roster["program"]
    ParticipantRowFactory.create_batch(
        ROSTER_PAGE_SIZE + 2, program=program, role=Role.MENTOR, status=ParticipantStatus.APPLIED
    )
    params = {"role": "mentor", "status": "applied"}
    first = manager_client.get(roster_url(program), params)
    assert len(listed(first)) == ROSTER_PAGE_SIZE
    assert f"{ROSTER_PAGE_SIZE + 2} participants match the filters" in page_text(first)
    assert 'href="?role=mentor&amp;status=applied&amp;page=2"' in first.content.decode()
    second = manager_client.get(roster_url(program), {**params, "page": 2})
    assert len(listed(second)) == 2
    # by id, not by name: Faker gives two people the same name now and then
    ids = [{p.pk for p in r.context["page_obj"].object_list} for r in (first, second)]
    assert ids[0].isdisjoint(ids[1])


def test_roster_query_count_does_not_grow_with_participants(
    manager_client, roster, django_assert_max_num_queries
):
    program = roster["program"]
    departments = DepartmentFactory.create_batch(3)
    for i in range(60):
        ParticipantRowFactory(
            program=program,
            person=PersonFactory(department=departments[i % 3]),
            role=Role.MENTEE if i % 2 else Role.MENTOR,
            answers={str(roster["topics"].pk): ["Career"]},
        )
    # Session, user, the viewer's person, the program, its managers; the roster header (counts,
    # mentor places), questions, departments, locations, skills; the count and the page.
    with django_assert_max_num_queries(13):
        response = manager_client.get(roster_url(program))
    assert len(listed(response)) == ROSTER_PAGE_SIZE
    # The htmx partial: session, user, program, managers, questions, count, page.
    with django_assert_max_num_queries(7):
        response = manager_client.get(
            roster_url(program),
            {"answer": f"{roster['topics'].pk}:Career"},
            headers={"HX-Request": "true"},
        )
    assert response.context["page_obj"].paginator.count == 61


# --- Bulk actions -----------------------------------------------------------------------------


def test_bulk_approve_changes_the_selected_and_reports_how_many(manager_client, roster, manager):
    program = roster["program"]
    mentors = ParticipantRowFactory.create_batch(
        2, program=program, role=Role.MENTOR, status=ParticipantStatus.APPLIED
    )
    response = manager_client.post(
        bulk_url(program),
        {
            "action": "approve",
            "participant": [mentors[0].pk, mentors[1].pk, roster["ada"].pk],
            "return_query": "role=mentor&page=1",
        },
    )
    assert response.status_code == 302
    assert response.url == roster_url(program) + "?role=mentor&page=1"
    for mentor in mentors:
        mentor.refresh_from_db()
        assert mentor.status == ParticipantStatus.APPROVED
        assert mentor.decided_by == manager
    assert flash(response) == [
        "2 participants approved. 1 left unchanged (already approved, waitlisted, matched or "
        "withdrawn)."
    ]


def test_bulk_decline(manager_client, roster):
    program = roster["program"]
    response = manager_client.post(
        bulk_url(program), {"action": "decline", "participant": [roster["grace"].pk]}
    )
    roster["grace"].refresh_from_db()
    assert roster["grace"].status == ParticipantStatus.DECLINED
    assert flash(response) == ["1 participant declined."]


def test_bulk_action_refuses_a_participant_of_another_program(manager_client, roster):
    program = roster["program"]
    response = manager_client.post(
        bulk_url(program),
        {"action": "decline", "participant": [roster["grace"].pk, roster["stranger"].pk]},
    )
    for participant, status in ((roster["grace"], "applied"), (roster["stranger"], "applied")):
        participant.refresh_from_db()
        assert participant.status == status
    assert (
        "1 selected person is not in this program's roster; nothing was changed"
        in (flash(response)[0])
    )


def test_bulk_action_through_another_programs_url_is_forbidden(manager_client, roster):
    """Managing one program gives no hold on another's participants, even with its own ids."""
    response = manager_client.post(
        bulk_url(roster["other_program"]),
        {"action": "decline", "participant": [roster["stranger"].pk]},
    )
    assert response.status_code == 403
    roster["stranger"].refresh_from_db()
    assert roster["stranger"].status == ParticipantStatus.APPLIED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"participant": ["1"]}, "Choose what to do with the selected people."),
        ({"action": "approve"}, "Select at least one of the participants first."),
        ({"action": "delete", "participant": ["1"]}, None),
    ],
)
def test_bulk_action_needs_an_action_and_a_selection(manager_client, roster, data, error):
    response = manager_client.post(bulk_url(roster["program"]), data)
    assert response.status_code == 302
    messages = flash(response)
    assert len(messages) == 1
    if error:
        assert messages[0] == error
    roster["grace"].refresh_from_db()
    assert roster["grace"].status == ParticipantStatus.APPLIED


def test_bulk_action_is_post_only(manager_client, roster):
    response = manager_client.get(
        bulk_url(roster["program"]), {"action": "decline", "participant": roster["grace"].pk}
    )
    assert response.status_code == 405


# --- One participant ---------------------------------------------------------------------------


def test_detail_shows_every_answer_private_ones_labelled(manager_client, roster):
    grace = roster["grace"]
    response = manager_client.get(
        reverse("enrolment:participant_detail", args=["career", grace.pk])
    )
    text = page_text(response)
    assert "Grace Hopper" in text
    assert "Topics Career; Leadership" in text
    assert "Skills you want to grow Python; SQL" in text
    assert "How do you prefer to meet? Video call" in text
    assert (
        "Anything the managers should know? Private I am going through a difficult "
        "reorganisation." in text
    )
    assert "Open to relocating? Not answered" in text
    html = response.content.decode()
    assert html.count('<span class="tag tag-private">Private</span>') == 2  # legend + answer
    assert "Engineering" in text and "Lisbon" in text


def test_detail_of_another_programs_participant_is_not_found(manager_client, roster):
    url = reverse("enrolment:participant_detail", args=["career", roster["stranger"].pk])
    assert manager_client.get(url).status_code == 404


def test_detail_offers_approve_and_decline_for_an_application(manager_client, roster):
    html = manager_client.get(
        reverse("enrolment:participant_detail", args=["career", roster["grace"].pk])
    ).content.decode()
    assert f'action="{bulk_url(roster["program"])}"' in html
    assert 'name="action" value="approve"' in html
    assert 'name="action" value="decline"' in html


# --- Who may open the manager pages -------------------------------------------------------------

MANAGER_PAGES = [
    ("get", "enrolment:participants", False),
    ("get", "enrolment:export", False),
    ("get", "enrolment:supply_demand", False),
    ("get", "enrolment:invite", False),
    ("get", "enrolment:participant_detail", True),
    ("post", "enrolment:bulk_action", False),
    ("post", "enrolment:invite", False),
]


def _page_url(name, with_pk, roster):
    args = ["career", roster["grace"].pk] if with_pk else ["career"]
    return reverse(name, args=args)


def _bulk_data(roster):
    return {"action": "decline", "participant": [roster["grace"].pk]}


@pytest.mark.parametrize(("method", "name", "with_pk"), MANAGER_PAGES)
def test_participant_gets_403_on_every_manager_page(
    participant_client, roster, method, name, with_pk
):
    url = _page_url(name, with_pk, roster)
    response = getattr(participant_client, method)(url, _bulk_data(roster))
    assert response.status_code == 403
    assert "Grace Hopper" not in response.content.decode()
    roster["grace"].refresh_from_db()
    assert roster["grace"].status == ParticipantStatus.APPLIED


@pytest.mark.parametrize(("method", "name", "with_pk"), MANAGER_PAGES)
def test_manager_of_another_program_gets_403(client, roster, method, name, with_pk):
    other_manager = ProgramManagerFactory()
    roster["other_program"].managers.add(other_manager)
    client.force_login(other_manager)
    response = getattr(client, method)(_page_url(name, with_pk, roster), _bulk_data(roster))
    assert response.status_code == 403
    roster["grace"].refresh_from_db()
    assert roster["grace"].status == ParticipantStatus.APPLIED


@pytest.mark.parametrize(("method", "name", "with_pk"), MANAGER_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, roster, method, name, with_pk):
    response = getattr(client, method)(_page_url(name, with_pk, roster))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name",
    [
        "enrolment:participants",
        "enrolment:export",
        "enrolment:supply_demand",
        "enrolment:invite",
        "enrolment:participant_detail",
    ],
)
def test_org_admin_may_open_every_manager_page(admin_client_, roster, name):
    response = admin_client_.get(_page_url(name, name.endswith("detail"), roster))
    assert response.status_code == 200


def test_detail_page_shows_the_program_invitation(manager_client, roster):
    ProgramInvitationFactory(
        program=roster["program"], person=roster["grace"].person, reminder_count=2
    )
    text = page_text(
        manager_client.get(
            reverse("enrolment:participant_detail", args=["career", roster["grace"].pk])
        )
    )
    assert "(2 reminders)" in text
