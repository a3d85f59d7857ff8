"""HR outcomes: the CSV import (functions, pages and command), the comparison of participants
with comparable colleagues, the ROI estimate built on it, and the outcomes page.

Every expected figure is worked out by hand in the comments from the records the test builds.
"""

import datetime
import math
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    ProgramFactory,
    ProgramManagerFactory,
    RegistrationFactory,
)
from tests.helpers import page_text
from trellis.mentorships.models import Mentorship
from trellis.programs.models import Role
from trellis.reports.models import Outcome, OutcomeImport, ReportSettings
from trellis.reports.outcomes import (
    InvalidOutcomeRowsError,
    OutcomeFileError,
    compare_outcomes,
    import_outcomes,
    plan_outcomes,
    report_settings,
    roi_estimate,
)

pytestmark = pytest.mark.django_db

Z = 1.959964  # the 97.5th percentile of the standard normal distribution
APPROX = {"abs": 1e-5}


# ------------------------------------------------------------------------------------ import


@pytest.fixture
def staff():
    """Four people the HR files name: HR-001 ... HR-004 (emails ann@, ben@, cat@, dan@)."""
    return {
        key: PersonFactory(employee_id=f"HR-00{n}", email=f"{key}@example.com", first_name=key)
        for n, key in enumerate(("ann", "ben", "cat", "dan"), start=1)
    }


GOOD_FILE = (
    "Employee ID,Kind,Effective date,New level,Note\n"
    "HR-001,Promotion,2025-03-01,L5,Great year\n"
    "HR-002,role change,2025-04-15,,Moved to Platform\n"
    "HR-003,Exit,2025-05-31,,\n"
    "HR-004,left,2025-06-30,,\n"
)


def outcomes_by_person():
    return {
        o.person.employee_id: (o.kind, o.occurred_on, o.new_level, o.note)
        for o in Outcome.objects.select_related("person")
    }


def test_a_good_file_creates_one_outcome_per_row(staff):
    result = import_outcomes(GOOD_FILE.encode())

    # Four rows, all new: "Promotion", "role change", "Exit" and "left" are the three kinds.
    assert (result.rows_read, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert result.by_kind == {"promotion": 1, "role_change": 1, "exit": 2}
    assert result.errors == [] and result.applied
    assert outcomes_by_person() == {
        "HR-001": ("promotion", datetime.date(2025, 3, 1), 5, "Great year"),  # L5 -> 5
        "HR-002": ("role_change", datetime.date(2025, 4, 15), None, "Moved to Platform"),
        "HR-003": ("exit", datetime.date(2025, 5, 31), None, ""),
        "HR-004": ("exit", datetime.date(2025, 6, 30), None, ""),
    }


def test_a_file_naming_people_by_email_finds_them_whatever_the_case(staff):
    data = (
        "email,kind,date,level\n"
        "ANN@Example.com,promoted,2025-02-01,6\n"
        "ben@example.com,Exit,2025-02-02,\n"
    )

    result = import_outcomes(data)

    assert result.created == 2
    assert outcomes_by_person() == {
        "HR-001": ("promotion", datetime.date(2025, 2, 1), 6, ""),
        "HR-002": ("exit", datetime.date(2025, 2, 2), None, ""),
    }


def test_importing_the_same_file_again_changes_nothing(staff):
    import_outcomes(GOOD_FILE)
    first = dict(Outcome.objects.values_list("pk", "created_at"))

    again = import_outcomes(GOOD_FILE)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert dict(Outcome.objects.values_list("pk", "created_at")) == first


def test_a_changed_note_counts_as_updated_and_is_saved(staff):
    import_outcomes(GOOD_FILE)
    changed = GOOD_FILE.replace("Moved to Platform", "Moved to Payments")

    planned, _ = plan_outcomes(changed)
    result = import_outcomes(changed)

    assert (planned.created, planned.updated, planned.unchanged) == (0, 1, 3)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert Outcome.objects.count() == 4
    assert Outcome.objects.get(person=staff["ben"]).note == "Moved to Payments"


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def bad_file() -> str:
    # Line 1 is the header; lines 2 and 9 are good, every other line has one problem.
    return (
        "Employee ID,Kind,Effective date,New level,Note\n"  # 1
        "HR-001,Promotion,2025-03-01,L5,ok\n"  # 2 good
        "HR-999,Promotion,2025-03-01,,\n"  # 3 unknown employee id
        "HR-002,demotion,2025-03-01,,\n"  # 4 unknown kind
        "HR-003,Exit,31/05/2025,,\n"  # 5 not an ISO date
        f"HR-003,Exit,{tomorrow()},,\n"  # 6 in the future
        "HR-004,Promotion,2025-03-01,senior,\n"  # 7 not a level
        "HR-001,promoted,2025-03-01,L5,again\n"  # 8 the same promotion as line 2
        "HR-002,role change,2025-04-01,,\n"  # 9 good
    )


def expected_bad_rows() -> list[tuple[int, str, str, str]]:
    """(line, column as written in the header, value, part of the reason)."""
    return [
        (3, "Employee ID", "HR-999", "no one in the directory has employee id 'HR-999'"),
        (4, "Kind", "demotion", "'demotion' is not an outcome"),
        (5, "Effective date", "31/05/2025", "'31/05/2025' is not a date"),
        (6, "Effective date", str(tomorrow()), "is in the future"),
        (7, "New level", "senior", "'senior' is not a level"),
        (8, "Kind", "promoted", "already on line 2"),
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(staff):
    with pytest.raises(InvalidOutcomeRowsError) as caught:
        import_outcomes(bad_file())

    result = caught.value.result
    errors = [(e.line, e.column, e.value, e.reason) for e in result.errors]
    assert len(errors) == 6
    for (line, column, value, reason), expected in zip(errors, expected_bad_rows(), strict=True):
        assert (line, column, value) == expected[:3]
        assert expected[3] in reason
    # 8 rows read, 6 bad: 2 could be imported.
    assert (result.rows_read, result.bad_rows, caught.value.valid_rows) == (8, 6, 2)
    assert "6 bad rows: nothing was imported." in str(caught.value)
    assert Outcome.objects.count() == 0


def test_skipping_the_bad_rows_writes_the_good_ones(staff):
    result = import_outcomes(bad_file(), skip_invalid=True)

    assert (result.created, result.bad_rows, len(result.errors)) == (2, 6, 6)
    assert outcomes_by_person() == {
        "HR-001": ("promotion", datetime.date(2025, 3, 1), 5, "ok"),  # line 2, not line 8
        "HR-002": ("role_change", datetime.date(2025, 4, 1), None, ""),
    }


def test_a_dry_run_reports_the_bad_rows_and_writes_nothing(staff):
    result = import_outcomes(bad_file(), dry_run=True)

    assert (result.created, result.bad_rows, result.applied) == (2, 6, False)
    assert Outcome.objects.count() == 0


def test_every_problem_of_a_row_is_reported_and_the_row_counted_once(staff):
    data = (
        "employee_id,kind,date,level\n"
        "\n"  # a blank line still counts in the line numbers
        "HR-999,demotion,2025-13-01,x5y\n"  # line 3: four problems
        "HR-001,promotion,2025-01-01,\n"  # line 4: good
    )
    with pytest.raises(InvalidOutcomeRowsError) as caught:
        import_outcomes(data)

    result = caught.value.result
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "employee_id"),
        (3, "kind"),
        (3, "date"),
        (3, "level"),
    ]
    assert (result.bad_rows, caught.value.valid_rows) == (1, 1)
    assert Outcome.objects.count() == 0


def test_a_row_without_a_person_names_the_person_column(staff):
    data = "email,kind,date\n,promotion,2025-01-01\n"

    with pytest.raises(InvalidOutcomeRowsError) as caught:
        import_outcomes(data)

    (error,) = caught.value.result.errors
    assert (error.line, error.column, error.reason) == (2, "email", "the person is missing")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("kind,date\npromotion,2025-01-01\n", "needs a column naming the person"),
        ("employee_id,note\nHR-001,hello\n", "Missing columns: kind, date."),
        ("employee_id,kind,note\nHR-001,exit,x\n", "Missing column: date."),
        (b"", "The file is empty."),
        ("employee_id,kind,date\n", "The file has a header but no rows."),
        ("employee_id,kind,date\n\n\n", "The file has a header but no rows."),
        (b"email,kind,date\nb\xe9a@example.com,exit,2025-01-01\n", "not UTF-8"),
    ],
    ids=[
        "no-person-column",
        "no-kind-or-date",
        "no-date",
        "empty",
        "header-only",
        "blank-rows",
        "latin-1",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(staff, data, message):
    with pytest.raises(OutcomeFileError) as caught:
        import_outcomes(data, skip_invalid=True)

    assert message in str(caught.value)
    assert Outcome.objects.count() == 0


# --------------------------------------------------------------------- import pages and command


def upload(client, text: str, name: str = "outcomes.csv"):
    return client.post(
        reverse("reports:outcome_upload"),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def error_rows(response) -> list[tuple[str, ...]]:
    """The preview's table of bad rows, cell by cell as a reader sees them."""
    html = response.content.decode()
    table = re.search(r'<table class="import-errors">.*?</table>', html, re.S)
    assert table, "the preview lists no bad rows"
    body = table.group(0).split("<tbody>", 1)[1]
    return [
        tuple(unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S))
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_admin_uploads_previews_every_bad_row_and_imports_the_rest(admin_client_, staff):
    client = admin_client_
    assert client.get(reverse("reports:outcome_upload")).status_code == 200

    response = upload(client, bad_file(), "hr-export.csv")
    outcome_import = OutcomeImport.objects.get()
    preview = reverse("reports:outcome_preview", args=[outcome_import.token])
    assert response.status_code == 302 and response.url == preview
    assert outcome_import.file_name == "hr-export.csv" and not outcome_import.is_applied

    page = client.get(preview)
    assert page.status_code == 200
    rows = error_rows(page)
    assert len(rows) == 6
    for (line, column, value, reason), expected in zip(rows, expected_bad_rows(), strict=True):
        assert (int(line), column, value) == expected[:3]
        assert expected[3] in reason
    text = page_text(page)
    assert "8 rows read" in text and "create 2, update 0, leave 0 unchanged; 6 bad rows" in text
    assert "Skip the bad rows" in text
    assert Outcome.objects.count() == 0  # previewing writes nothing

    # Without ticking "Skip the bad rows" the file is refused and nothing is written.
    refused = client.post(preview, {}, follow=True)
    assert "6 bad rows: nothing was imported." in page_text(refused)
    assert "import the other 2" in page_text(refused)
    assert Outcome.objects.count() == 0
    outcome_import.refresh_from_db()
    assert not outcome_import.is_applied

    done = client.post(preview, {"skip_invalid": "on"}, follow=True)
    assert "Outcomes imported: 2 created, 0 updated, 0 unchanged, 6 bad rows skipped." in (
        page_text(done)
    )
    assert "2 created, 0 updated, 0 unchanged, 6 bad rows skipped." in page_text(done)
    assert outcomes_by_person() == {
        "HR-001": ("promotion", datetime.date(2025, 3, 1), 5, "ok"),
        "HR-002": ("role_change", datetime.date(2025, 4, 1), None, ""),
    }
    outcome_import.refresh_from_db()
    assert outcome_import.is_applied and outcome_import.applied_at is not None
    assert outcome_import.summary["created"] == 2 and outcome_import.summary["bad_rows"] == 6
    assert set(Outcome.objects.values_list("source", flat=True)) == {outcome_import.pk}


def test_the_preview_says_what_the_file_would_change(admin_client_, staff):
    upload(admin_client_, bad_file())
    token = OutcomeImport.objects.get().token

    text = page_text(admin_client_.get(reverse("reports:outcome_preview", args=[token])))

    assert "8 rows read: this would create 2, update 0, leave 0 unchanged; 6 bad rows." in text


def test_a_file_is_applied_only_once(admin_client_, staff):
    client = admin_client_
    upload(client, GOOD_FILE)
    outcome_import = OutcomeImport.objects.get()
    preview = reverse("reports:outcome_preview", args=[outcome_import.token])
    client.post(preview, {})
    assert Outcome.objects.count() == 4
    outcome_import.refresh_from_db()
    applied_at = outcome_import.applied_at
    # Someone removes an outcome; applying the same upload again must not bring it back.
    Outcome.objects.filter(person=staff["ann"]).delete()

    again = client.post(preview, {"skip_invalid": "on"}, follow=True)

    assert "This file was already imported." in page_text(again)
    assert Outcome.objects.count() == 3
    outcome_import.refresh_from_db()
    assert outcome_import.applied_at == applied_at


def test_an_unreadable_upload_is_refused_on_the_form(admin_client_, staff):
    response = upload(admin_client_, "employee_id,kind,date\n")

    assert response.status_code == 400
    assert "The file has a header but no rows." in page_text(response)
    assert OutcomeImport.objects.count() == 0


@pytest.mark.parametrize("who", ["program_manager", "participant"])
def test_only_admins_may_import_outcomes(client, request, who, staff):
    outcome_import = OutcomeImport.objects.create(file_name="f.csv", content=GOOD_FILE)
    preview = reverse("reports:outcome_preview", args=[outcome_import.token])
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("reports:outcome_upload")).status_code == 403
    assert upload(client, GOOD_FILE).status_code == 403
    assert client.get(preview).status_code == 403
    assert client.post(preview, {"skip_invalid": "on"}).status_code == 403
    assert Outcome.objects.count() == 0
    assert OutcomeImport.objects.count() == 1


def test_the_command_imports_a_file(staff, tmp_path, capsys):
    path = tmp_path / "outcomes.csv"
    path.write_text(GOOD_FILE)

    call_command("import_outcomes", str(path))
    assert "Imported: 4 created, 0 updated, 0 unchanged, 0 bad rows." in capsys.readouterr().out
    assert Outcome.objects.count() == 4

    call_command("import_outcomes", str(path))
    assert "Imported: 0 created, 0 updated, 4 unchanged, 0 bad rows." in capsys.readouterr().out


def test_the_command_refuses_bad_rows_unless_told_to_skip_them(staff, tmp_path, capsys):
    path = tmp_path / "outcomes.csv"
    path.write_text(bad_file())

    with pytest.raises(CommandError, match="rerun with --skip-invalid to import the other 2"):
        call_command("import_outcomes", str(path))
    out = capsys.readouterr().out
    assert "line 3, column Employee ID: no one in the directory has employee id 'HR-999'" in out
    assert "line 8, column Kind: the same promotion" in out
    assert Outcome.objects.count() == 0

    call_command("import_outcomes", str(path), "--dry-run")
    assert "Dry run, nothing changed: would create 2" in capsys.readouterr().out
    assert Outcome.objects.count() == 0

    call_command("import_outcomes", str(path), "--skip-invalid")
    assert "Imported: 2 created, 0 updated, 0 unchanged, 6 bad rows skipped." in (
        capsys.readouterr().out
    )
    assert Outcome.objects.count() == 2


def test_the_command_reports_an_unreadable_file(staff, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text("employee_id,note\nHR-001,x\n")

    with pytest.raises(CommandError, match=r"Missing columns: kind, date\.") as caught:
        call_command("import_outcomes", str(path))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_outcomes", str(tmp_path / "missing.csv"))


# -------------------------------------------------------------------------------- comparison

START = datetime.date(2025, 1, 1)
TODAY = datetime.date(2026, 1, 1)
HIRED = datetime.date(2021, 3, 1)  # 1402 days = 3.84 years before START: "3-5 years"
HIRED_RECENTLY = datetime.date(2024, 6, 1)  # 214 days = 0.59 years: "under 1 year"


def person(department, level, hired=HIRED, *, active=True, **outcomes):
    """A person, with an outcome of each kind given (kind=date)."""
    someone = PersonFactory(
        department=DepartmentFactory(name=department),
        level=level,
        hire_date=hired,
        is_active=active,
    )
    for kind, day in outcomes.items():
        Outcome.objects.create(person=someone, kind=kind, occurred_on=day)
    return someone


def mentor(program, someone):
    return RegistrationFactory(program=program, person=someone, role=Role.MENTOR, status="matched")


def mentee(program, someone, status="matched"):
    return RegistrationFactory(program=program, person=someone, role=Role.MENTEE, status=status)


def pair(program, mentor_row, mentee_row, status="active", started=datetime.date(2025, 1, 15)):
    ended = datetime.date(2025, 9, 30) if status in ("completed", "ended") else None
    return Mentorship.objects.create(
        program=program,
        mentor=mentor_row,
        mentee=mentee_row,
        status=status,
        started_on=started,
        ended_on=ended,
    )


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def compared(program_manager):
    """A program that started on 2025-01-01, compared up to 2026-01-01.

    Stratum A (Engineering, level 3, hired 2021-03-01: "3-5 years" at the start)
      participants (4): A-mentor-1, A-mentee-1 (promoted 2025-06-01), A-mentor-2,
        A-mentee-2 (left 2025-10-15)                    -> promoted 1/4, stayed 3/4
      colleagues (8): c1 promoted 2025-04-01; c2 left 2025-03-31; c3 left 2025-08-31;
        c4 promoted 2024-11-01 (before the start: not counted); c5 changed role (not a
        promotion); c6 promoted 2099-01-01 (after today: not counted); c7, c8 nothing
                                                        -> promoted 1/8, stayed 6/8
    Stratum B (Sales, level 2, hired 2024-06-01: "under 1 year")
      participants (2): B-mentor, B-mentee (promoted 2025-09-01; pair ended early)
                                                        -> promoted 1/2, stayed 2/2
      colleagues (5): b1 left 2025-07-31; b2 ... b5 nothing
                                                        -> promoted 0/5, stayed 4/5
    The colleagues' mix (8 A, 5 B) differs from the participants' (4 A, 2 B), so weighting the
    colleagues to the participants' mix gives other rates than pooling them would.
    Left out:
      U (Legal, level 4), mentee of A-mentor-1, promoted: no Legal level-4 colleague
        -> unmatched
      gone (A) left on 2024-12-01, before the start: in no group, not "unknown"
      unknown (B) inactive with no exit recorded: excluded_unknown
      registered (A, approved, never paired) and declined (A, only in a declined pair),
        both promoted: registered in the program, so in neither group
      senior (Engineering 3, hired 2014: "10 years or more") and other-level (Engineering
        4), both promoted: no participant like them, so they are not colleagues used.
      late (Sales 2, hired 2025-02-01, promoted 2025-03-01): would fall in B's "under 1
        year" band but was not employed at the start, so is no colleague.
      The program manager's own person (a department of its own): no participant like them.
    """
    program = ProgramFactory(status="active", starts_on=START, managed_by=[program_manager])
    a_mentor_1 = mentor(program, person("Engineering", 3))
    a_mentor_2 = mentor(program, person("Engineering", 3))
    a_mentee_1 = mentee(program, person("Engineering", 3, promotion=d("2025-06-01")))
    a_mentee_2 = mentee(program, person("Engineering", 3, active=False, exit=d("2025-10-15")))
    pair(program, a_mentor_1, a_mentee_1, "active")
    pair(program, a_mentor_2, a_mentee_2, "completed")
    person("Engineering", 3, promotion=d("2025-04-01"))
    person("Engineering", 3, active=False, exit=d("2025-03-31"))
    person("Engineering", 3, active=False, exit=d("2025-08-31"))
    person("Engineering", 3, promotion=d("2024-11-01"))
    person("Engineering", 3, role_change=d("2025-05-01"))
    person("Engineering", 3, promotion=d("2099-01-01"))
    person("Engineering", 3)
    person("Engineering", 3)

    b_mentor = mentor(program, person("Sales", 2, HIRED_RECENTLY))
    b_mentee = mentee(program, person("Sales", 2, HIRED_RECENTLY, promotion=d("2025-09-01")))
    pair(program, b_mentor, b_mentee, "ended", started=d("2025-02-01"))
    person("Sales", 2, HIRED_RECENTLY, active=False, exit=d("2025-07-31"))
    for _ in range(4):
        person("Sales", 2, HIRED_RECENTLY)

    unmatched = mentee(program, person("Legal", 4, promotion=d("2025-05-01")))
    pair(program, a_mentor_1, unmatched, "active", started=d("2025-03-01"))
    person("Engineering", 3, active=False, exit=d("2024-12-01"))  # gone before the start
    person("Sales", 2, HIRED_RECENTLY, active=False)  # unknown
    mentee(program, person("Engineering", 3, promotion=d("2025-02-01")), status="approved")
    declined = mentee(program, person("Engineering", 3, promotion=d("2025-02-01")))
    pair(program, a_mentor_2, declined, "declined")
    person("Engineering", 3, datetime.date(2014, 1, 1), promotion=d("2025-02-01"))
    person("Engineering", 4, promotion=d("2025-02-01"))
    person("Sales", 2, d("2025-02-01"), promotion=d("2025-03-01"))  # late
    return program


def test_comparison_counts_who_is_compared_with_whom(compared):
    c = compare_outcomes(compared, today=TODAY)

    assert (c.start, c.end, c.reason) == (START, TODAY, "")
    # Participants: 4 (A) + 2 (B) + U = 7; U has no colleague like them.
    assert (c.participants, c.matched, c.unmatched) == (7, 6, 1)
    # Colleagues used: 8 (A) + 5 (B) in 2 strata; only "unknown" is excluded as unknown.
    assert (c.comparison_people, c.strata, c.excluded_unknown) == (13, 2, 1)
    assert c.has_data


def test_colleagues_in_a_pair_of_another_program_are_no_comparison(compared):
    elsewhere = ProgramFactory(status="active")
    lead = mentor(elsewhere, person("Engineering", 3, promotion=d("2025-02-01")))
    pair(elsewhere, lead, mentee(elsewhere, person("Engineering", 3)))
    registered_only = person("Engineering", 3)
    mentee(elsewhere, registered_only, status="approved")  # registered there, never paired

    c = compare_outcomes(compared, today=TODAY)
    # The two people in the other program's pair are left out; the one only registered there
    # joins the 13 colleagues.
    assert c.comparison_people == 14
    assert c.promotion.comparison_events == 1


def test_someone_who_left_after_the_period_stayed_through_it(compared):
    late_leaver = person("Engineering", 3, active=False, exit=d("2026-03-01"))

    c = compare_outcomes(compared, today=TODAY)  # 2026-01-01
    assert c.excluded_unknown == 1  # still only "unknown"
    assert c.comparison_people == 14  # the late leaver is a colleague who stayed
    assert c.retention.comparison_events == 6 + 4 + 1
    assert late_leaver.outcomes.get().occurred_on > TODAY


def test_promotion_rate_against_standardised_colleagues(compared):
    rate = compare_outcomes(compared, today=TODAY).promotion

    # Participants: x1 = 1 (A) + 1 (B) = 2 of n1 = 6: p1 = 1/3.
    p1 = 1 / 3
    # Colleagues weighted by the participants' mix, 4/6 in A and 2/6 in B:
    # p0 = 4/6 * 1/8 + 2/6 * 0/5 = 1/12 = 0.083333 (pooled, it would be 1/13 = 0.076923).
    p0 = 1 / 12
    # Variances use the shares with one event and one non-event added (Agresti-Caffo):
    # A colleagues (1+1)/(8+2) = 0.2, B colleagues (0+1)/(5+2) = 1/7, participants
    # (2+1)/(6+2) = 3/8.
    # var0 = (4/6)^2 * 0.2 * 0.8 / 8 + (2/6)^2 * (1/7)(6/7) / 5 = 0.0088889 + 0.0027211
    #      = 0.0116100
    # var1 = (3/8)(5/8) / 6 = 0.0390625
    var0 = (4 / 6) ** 2 * 0.2 * 0.8 / 8 + (2 / 6) ** 2 * (1 / 7) * (6 / 7) / 5
    var1 = (3 / 8) * (5 / 8) / 6
    assert (var0, var1) == pytest.approx((0.0116100, 0.0390625), abs=1e-7)
    # Difference 1/4; half-width 1.959964 * sqrt(0.0506725) = 0.441199: -0.191199 to 0.691199.
    half = Z * math.sqrt(var1 + var0)
    assert (rate.outcome, rate.participant_events, rate.comparison_events) == ("Promotion", 2, 1)
    assert rate.participants == pytest.approx(p1, **APPROX)
    assert rate.comparison == pytest.approx(p0, **APPROX)
    assert rate.difference == pytest.approx(0.25, **APPROX)
    assert rate.difference_low == pytest.approx(0.25 - half, **APPROX)
    assert rate.difference_high == pytest.approx(0.25 + half, **APPROX)
    assert (rate.difference_low, rate.difference_high) == pytest.approx(
        (-0.191199, 0.691199), **APPROX
    )
    # Colleagues' interval: 1/12 -/+ 1.959964 * sqrt(0.0116100) = 1/12 -/+ 0.211185, clipped
    # at 0.
    assert rate.comparison_low == 0.0
    assert rate.comparison_high == pytest.approx(0.294519, **APPROX)
    # Wilson, 2 of 6, z^2 = 3.841459:
    # centre = (1/3 + z^2/12) / (1 + z^2/6) = 0.653455 / 1.640243 = 0.398390
    # half = z * sqrt((1/3)(2/3)/6 + z^2/144) / 1.640243 = 0.494729 / 1.640243 = 0.301619
    assert rate.participants_low == pytest.approx(0.096771, **APPROX)
    assert rate.participants_high == pytest.approx(0.700007, **APPROX)
    assert rate.interval_includes_zero and rate.few_events


def test_retention_rate_counts_exits_after_the_start(compared):
    rate = compare_outcomes(compared, today=TODAY).retention

    # Participants stayed: 3 of 4 (A) + 2 of 2 (B) = 5 of 6: p1 = 5/6 = 0.833333.
    # Colleagues: p0 = 4/6 * 6/8 + 2/6 * 4/5 = 1/2 + 4/15 = 23/30 = 0.766667
    # (pooled, it would be 10/13 = 0.769231).
    # Smoothed shares for the variances: A colleagues (6+1)/(8+2) = 0.7, B colleagues
    # (4+1)/(5+2) = 5/7, participants (5+1)/(6+2) = 3/4.
    # var0 = (4/6)^2 * 0.7 * 0.3 / 8 + (2/6)^2 * (5/7)(2/7) / 5 = 0.0116667 + 0.0045351
    #      = 0.0162018
    # var1 = (3/4)(1/4) / 6 = 0.03125
    # Difference 5/6 - 23/30 = 1/15 = 0.066667;
    # half-width 1.959964 * sqrt(0.0474518) = 1.959964 * 0.217834 = 0.426948.
    half = Z * math.sqrt(0.03125 + (4 / 6) ** 2 * 0.21 / 8 + (2 / 6) ** 2 * (10 / 49) / 5)
    assert half == pytest.approx(0.426948, **APPROX)
    assert rate.outcome == "Retention"
    assert (rate.participant_events, rate.comparison_events) == (5, 6 + 4)
    assert rate.participants == pytest.approx(5 / 6, **APPROX)
    assert rate.comparison == pytest.approx(23 / 30, **APPROX)
    assert rate.difference == pytest.approx(1 / 15, **APPROX)
    assert rate.difference_low == pytest.approx(1 / 15 - half, **APPROX)
    assert rate.difference_high == pytest.approx(1 / 15 + half, **APPROX)
    assert (rate.difference_low, rate.difference_high) == pytest.approx(
        (-0.360281, 0.493614), **APPROX
    )
    # Colleagues: 23/30 -/+ 1.959964 * sqrt(0.0162018) = 0.766667 -/+ 0.249477, clipped at 1.
    assert rate.comparison_low == pytest.approx(0.517190, **APPROX)
    assert rate.comparison_high == 1.0
    # Wilson, 5 of 6: centre = (5/6 + z^2/12) / 1.640243 = 0.703298;
    # half = z * sqrt(5/216 + z^2/144) / 1.640243 = 0.266801.
    assert rate.participants_low == pytest.approx(0.436497, **APPROX)
    assert rate.participants_high == pytest.approx(0.969947, **APPROX)
    assert rate.interval_includes_zero


def test_few_exits_make_the_retention_interval_a_rough_guide(compared):
    rate = compare_outcomes(compared, today=TODAY).retention

    # Exits: 1 participant (A-mentee-2), 3 colleagues (c2, c3, b1): fewer than 5 each.
    assert rate.few_events


def paired_program(size: int, *, starts_on=START, status="active"):
    """One mentor and size - 1 mentees in Engineering level 3, and five colleagues."""
    program = ProgramFactory(status="active", starts_on=starts_on)
    lead = mentor(program, person("Engineering", 3))
    for _ in range(size - 1):
        pair(program, lead, mentee(program, person("Engineering", 3)), status)
    for _ in range(5):
        person("Engineering", 3)
    return program


def test_fewer_than_five_matched_participants_are_not_compared():
    c = compare_outcomes(paired_program(4), today=TODAY)

    assert (c.participants, c.matched, c.comparison_people) == (4, 4, 5)
    assert c.promotion is None and c.retention is None and not c.has_data
    assert c.reason == (
        "Fewer than 5 participants have a comparable colleague, too few to compare without "
        "describing individuals."
    )
    assert roi_estimate(c, ReportSettings(program_cost=10000)) is None


def test_five_matched_participants_are_compared():
    c = compare_outcomes(paired_program(5), today=TODAY)

    assert c.matched == 5 and c.has_data and c.reason == ""


def test_no_comparison_before_the_first_pair():
    program = paired_program(5, status="declined")  # only declined proposals

    c = compare_outcomes(program, today=TODAY)

    assert not c.has_data
    assert c.reason == "No pair has started yet, so there is no one to compare."


def test_no_comparison_before_the_program_starts():
    program = paired_program(5, starts_on=d("2026-02-01"))

    c = compare_outcomes(program, today=TODAY)

    assert not c.has_data and c.reason == "The program has not started yet."


def test_without_a_start_date_the_first_pair_is_the_start():
    program = paired_program(5, starts_on=None)  # pairs started on 2025-01-15

    assert compare_outcomes(program, today=TODAY).start == d("2025-01-15")


# ----------------------------------------------------------------------------------------- ROI


def settings_for(program, cost) -> ReportSettings:
    settings = ReportSettings.objects.create(
        program=program,
        average_salary=60000,
        replacement_cost_share=Decimal("0.5"),
        program_cost=cost,
    )
    settings.refresh_from_db()
    return settings


def test_roi_from_the_retention_difference(compared):
    roi = roi_estimate(compare_outcomes(compared, today=TODAY), settings_for(compared, 10000))

    # Exits avoided = 1/15 x 6 matched = 0.4; interval (-0.360281, 0.493614) x 6 =
    # (-2.161685, 2.961685). One exit costs 0.5 x 60,000 = 30,000.
    assert (roi.currency, roi.people) == ("EUR", 6)
    assert roi.exits_avoided == pytest.approx(0.4)
    assert (roi.exits_avoided_low, roi.exits_avoided_high) == (-2.16, 2.96)
    assert roi.cost_per_exit == Decimal(30000)
    # Savings 0.4 x 30,000 = 12,000; bounds -2.1617 x 30,000 = -64,851 and 2.9617 x 30,000
    # = 88,851. Net 12,000 - 10,000 = 2,000: a return of 2,000 / 10,000 = 0.2.
    assert roi.savings == Decimal(12000)
    assert (roi.savings_low, roi.savings_high) == (Decimal(-64851), Decimal(88851))
    assert (roi.program_cost, roi.net) == (Decimal(10000), Decimal(2000))
    assert roi.roi == pytest.approx(0.2)
    assert roi.interval_includes_zero


def test_roi_without_a_program_cost_has_no_return(compared):
    roi = roi_estimate(compare_outcomes(compared, today=TODAY), settings_for(compared, 0))

    assert roi.net == Decimal(12000)  # 12,000 savings - 0
    assert roi.roi is None


# ------------------------------------------------------------------------------ outcomes page


@pytest.fixture
def manager_client(client, program_manager):
    client.force_login(program_manager)
    return client


def outcomes_url(program) -> str:
    return reverse("reports:outcomes", args=[program.slug])


def test_the_manager_sees_the_comparison_and_what_it_cannot_show(manager_client, compared):
    # Today is later than 2026-01-01, but no outcome falls between (c6's is in 2099).
    response = manager_client.get(outcomes_url(compared))

    assert response.status_code == 200
    text = page_text(response)
    assert (
        "Promotion 33.3 % (9.7 % to 70.0 %) 8.3 % (0.0 % to 29.5 %) +25.0 points "
        "(-19.1 points to +69.1 points)"
    ) in text
    assert (
        "Retention 83.3 % (43.6 % to 97.0 %) 76.7 % (51.7 % to 100.0 %) +6.7 points "
        "(-36.0 points to +49.4 points)"
    ) in text
    assert (
        "6 people who were in a pair are compared with 13 colleagues who never registered (nor "
        "were in another program's pair), in the same department, level and tenure band when "
        "the program started (2 such groups;"
    ) in text
    assert "1 participant had no comparable colleague and is left out." in text
    assert "1 person has left the directory without a recorded exit and is left out." in text
    assert "What it cannot show. That the program caused the difference." in text
    # ROI with the default assumptions (60,000 salary, 0.5 share, no cost).
    assert "Cost of one exit EUR 30,000" in text
    assert "Savings EUR 12,000 (-EUR 64,851 to EUR 88,851)" in text
    assert "enter the program's cost for a return on it" in text


def test_without_a_comparison_the_page_gives_the_reason(manager_client, program_manager):
    program = ProgramFactory(starts_on=START, managed_by=[program_manager])

    text = page_text(manager_client.get(outcomes_url(program)))

    assert "No comparison yet: No pair has started yet, so there is no one to compare." in text
    assert "What it cannot show." in text
    assert "No ROI estimate without a retention comparison." in text


def test_another_programs_manager_cannot_see_the_outcomes(client, compared):
    client.force_login(ProgramManagerFactory())

    assert client.get(outcomes_url(compared)).status_code == 403
    response = client.post(outcomes_url(compared), {"action": "leaders", "leaders-emails": ""})
    assert response.status_code == 403


def assumptions(**fields) -> dict:
    values = {
        "currency": "usd",
        "average_salary": "50000",
        "replacement_cost_share": "0.75",
        "program_cost": "12000",
        **fields,
    }
    return {"action": "assumptions", **{f"roi-{k}": v for k, v in values.items()}}


def test_saving_the_roi_assumptions(manager_client, compared):
    response = manager_client.post(outcomes_url(compared), assumptions())

    assert response.status_code == 302 and response.url == outcomes_url(compared)
    settings = ReportSettings.objects.get(program=compared)
    assert (settings.currency, settings.average_salary) == ("USD", Decimal(50000))
    assert (settings.replacement_cost_share, settings.program_cost) == (
        Decimal("0.75"),
        Decimal(12000),
    )
    text = page_text(manager_client.get(outcomes_url(compared)))
    # One exit: 0.75 x 50,000 = 37,500; savings 0.4 x 37,500 = 15,000; net 15,000 - 12,000 =
    # 3,000, a return of 3,000 / 12,000 = 25.0 %.
    assert "ROI assumptions saved." in text
    assert "Cost of one exit USD 37,500" in text
    assert "Savings USD 15,000" in text
    assert "Net USD 3,000, a return of 25.0 % on the cost" in text


@pytest.mark.parametrize(
    ("currency", "error"),
    [
        ("euro", "Ensure this value has at most 3 characters (it has 4)."),
        ("E1R", "Use a three-letter currency code, such as EUR or USD."),
        ("us", "Use a three-letter currency code, such as EUR or USD."),
    ],
)
def test_a_bad_currency_is_refused(manager_client, compared, currency, error):
    response = manager_client.post(outcomes_url(compared), assumptions(currency=currency))

    assert response.status_code == 400
    assert f"Currency: {error}" in page_text(response)
    assert not ReportSettings.objects.filter(program=compared).exists()  # nothing saved
    settings = report_settings(compared)
    assert (settings.currency, settings.average_salary, settings.program_cost) == (
        "EUR",
        Decimal(60000),
        Decimal(0),
    )


def test_a_refused_form_does_not_change_the_roi_shown(manager_client, compared):
    response = manager_client.post(outcomes_url(compared), assumptions(currency="euro"))

    assert response.status_code == 400
    text = page_text(response)
    # The saved assumptions are still the defaults: 60,000 x 0.5 and no cost.
    assert "Cost of one exit EUR 30,000" in text
    assert "enter the program's cost for a return on it" in text


def test_setting_the_leaders(manager_client, compared):
    ann = PersonFactory(email="ann.leader@example.com")
    ben = PersonFactory(email="ben.leader@example.com")

    response = manager_client.post(
        outcomes_url(compared),
        {"action": "leaders", "leaders-emails": "ann.leader@example.com;\nBEN.leader@example.com"},
    )

    assert response.status_code == 302
    settings = ReportSettings.objects.get(program=compared)
    assert set(settings.leaders.all()) == {ann, ben}
    text = page_text(manager_client.get(outcomes_url(compared)))
    assert "2 leaders will receive the summary." in text
    assert "ann.leader@example.com, ben.leader@example.com" in text


def test_an_unknown_leader_email_is_named(manager_client, compared):
    ann = PersonFactory(email="ann.leader@example.com")
    settings = ReportSettings.objects.create(program=compared)
    settings.leaders.set([ann])

    response = manager_client.post(
        outcomes_url(compared),
        {"action": "leaders", "leaders-emails": "ann.leader@example.com, nobody@example.com"},
    )

    assert response.status_code == 400
    assert "No one in the directory has the email nobody@example.com." in page_text(response)
    assert list(settings.leaders.all()) == [ann]


def test_a_leader_who_left_is_named_as_written(manager_client, compared):
    PersonFactory(first_name="Ann", last_name="Lee", email="ann.lee@example.com", is_active=False)

    response = manager_client.post(
        outcomes_url(compared),
        {"action": "leaders", "leaders-emails": "ann.lee@example.com, Nobody@Example.com"},
    )

    assert response.status_code == 400
    text = page_text(response)
    assert "Ann Lee has left the directory" in text
    assert "no one in the directory has the email Nobody@Example.com" in text


def test_participants_hired_after_the_start_are_counted_as_left_out(compared):
    lead = mentor(compared, person("Engineering", 3))
    pair(compared, lead, mentee(compared, person("Engineering", 3, d("2025-06-01"))))

    c = compare_outcomes(compared, today=TODAY)
    assert c.hired_after_start == 1
    assert c.participants == 8  # the mentor, hired long before, is compared; the mentee is not
