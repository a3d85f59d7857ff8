"""The directory import service and `trellis import-people`."""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command

from tests.factories import LanguageFactory, PersonFactory, SkillFactory
from trellis.cli import main as trellis_main
from trellis.people.importing import (
    ImportFileError,
    InvalidRowsError,
    import_people,
    plan_people_import,
)
from trellis.people.models import Department, Language, Location, Person, Skill, SkillAlias

pytestmark = pytest.mark.django_db

HEADER = (
    "employee_id,email,first_name,last_name,title,department,location,time_zone,hire_date,"
    "manager_id,level,skills,languages"
)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def row(
    employee_id: str,
    *,
    email: str | None = None,
    first_name: str = "Ada",
    last_name: str = "Lovelace",
    title: str = "Engineer",
    department: str = "Engineering",
    location: str = "London",
    time_zone: str = "Europe/London",
    hire_date: str = "2021-03-01",
    manager: str = "",
    level: str = "3",
    skills: str = "",
    languages: str = "",
) -> str:
    email = f"{employee_id.lower()}@example.com" if email is None else email
    return ",".join(
        [
            employee_id,
            email,
            first_name,
            last_name,
            title,
            department,
            location,
            time_zone,
            hire_date,
            manager,
            level,
            skills,
            languages,
        ]
    )


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(error.line, error.column, error.reason) for error in result.errors]


# Reading the file.


def test_import_creates_people_with_every_field():
    text = csv_text(
        row("E1", first_name="Grace", last_name="Hopper", level="L7", languages="english"),
        row(
            "E2",
            manager="E1",
            title="Data Scientist",
            department="Data",
            location="Paris",
            time_zone="europe/paris",
            hire_date="2024-02-29",
            level="IC5",
            skills="Python; SQL ;python",
            languages="English;French",
        ),
    )
    result = import_people(text)

    assert result.applied and result.counts()["created"] == 2 and not result.errors
    grace = Person.objects.get(employee_id="E1")
    data = Person.objects.get(employee_id="E2")
    assert (data.email, data.title, data.department.name, data.location.name) == (
        "e2@example.com",
        "Data Scientist",
        "Data",
        "Paris",
    )
    assert data.time_zone == "Europe/Paris"
    assert data.hire_date == datetime.date(2024, 2, 29)
    assert (grace.level, data.level) == (7, 5)
    assert data.manager == grace
    assert data.reporting_path == f"/{grace.pk}/{data.pk}/"
    assert data.is_in_reporting_line_of(grace)
    assert sorted(data.skills.values_list("name", flat=True)) == ["Python", "SQL"]
    assert sorted(data.languages.values_list("name", flat=True)) == ["English", "French"]
    assert Language.objects.count() == 2


def test_header_aliases_are_matched_ignoring_case_spaces_and_underscores():
    header = (
        "Employee Number;Work Email;Given Name;SURNAME;Job Title;Dept;Office;TZ;Start Date;"
        "Reports To;Grade;Competencies;Language;Shoe size"
    )
    text = (
        f"{header}\n"
        "E1;Ada@Example.com;Ada;Lovelace;CEO;Exec;London;UTC;2020-01-01;;L9;Leadership;English;42\n"
        "E2;bob@example.com;Bob;Smith;Engineer;Engineering;Paris;Europe/Paris;2021-05-04;"
        'ada@example.com;4;"Python;Go";French;40\n'
    )
    result = import_people(text.encode("utf-8-sig"))

    assert result.ignored_columns == ["Shoe size"]
    assert result.columns["employee_id"] == "Employee Number"
    bob = Person.objects.get(employee_id="E2")
    assert bob.manager.employee_id == "E1"
    assert bob.location.name == "Paris" and bob.level == 4
    assert sorted(bob.skills.values_list("name", flat=True)) == ["Go", "Python"]
    assert Person.objects.get(employee_id="E1").email == "ada@example.com"


@pytest.mark.parametrize(
    "header",
    ["emp_id,email_address,firstname,family_name", "worker_id,E-Mail,forename,lastname"],
)
def test_more_header_aliases(header):
    import_people(f"{header}\nW7,w7@example.com,Wen,Li\n")
    assert Person.objects.get(employee_id="W7").full_name == "Wen Li"


def test_tab_separated_file_is_read():
    text = (
        "employee_id\temail\tfirst_name\tlast_name\tskills\n"
        "E1\te1@example.com\tAda\tLovelace\tGo;Rust\n"
    )
    import_people(text)
    assert Person.objects.get().skills.count() == 2


def test_utf16_export_is_read():
    text = "employee_id,email,first_name,last_name\nE1,zoe@example.com,Zoë,Ørsted\n"
    import_people(text.encode("utf-16"))
    assert Person.objects.get().full_name == "Zoë Ørsted"


def test_missing_required_column_is_a_file_error():
    with pytest.raises(ImportFileError, match="no first_name column"):
        import_people("employee_id,email,surname\nE1,a@example.com,Lovelace\n")
    assert not Person.objects.exists()


def test_two_columns_meaning_the_same_field_is_a_file_error():
    with pytest.raises(ImportFileError, match="both mean email"):
        plan_people_import("employee_id,email,work_email,first_name,last_name\n")


def test_file_without_people_is_refused_rather_than_deactivating_everyone():
    PersonFactory()
    with pytest.raises(ImportFileError, match="no people"):
        import_people(f"{HEADER}\n\n")
    assert Person.objects.active().count() == 1


def test_file_that_is_not_utf8_is_refused_with_advice():
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        import_people(
            "employee_id,email,first_name,last_name\nE1,a@x.com,Jos\xe9,K\n".encode("cp1252")
        )


# Row errors, with physical line numbers (the header is line 1).


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (row("E2", email="bob@"), "email", "'bob@' is not a valid email address."),
        (row("E2", email=""), "email", "Email is required."),
        (row("E2", first_name=""), "first_name", "First name is required."),
        (row("", email="x@example.com"), "employee_id", "Employee id is required."),
        (
            row("E2", hire_date="01/03/2021"),
            "hire_date",
            "'01/03/2021' is not a date in YYYY-MM-DD form (such as 2024-03-31).",
        ),
        (row("E2", hire_date="2023-02-29"), "hire_date", "'2023-02-29' is not a real date."),
        (
            row("E2", time_zone="Mars/Olympus"),
            "time_zone",
            "'Mars/Olympus' is not a known time zone; use an IANA name such as Europe/Paris.",
        ),
        (
            row("E2", level="senior"),
            "level",
            "'senior' is not a level: use a whole number such as 5, L5 or IC5.",
        ),
        (
            row("E2", manager="E404"),
            "manager_id",
            "Unknown manager 'E404': no employee id or email in this file or in the directory "
            "matches.",
        ),
        (row("E2", manager="E2"), "manager_id", "A person cannot be their own manager."),
        (
            row("E2", manager="e2@example.com"),
            "manager_id",
            "A person cannot be their own manager.",
        ),
    ],
)
def test_import_reports_bad_row_with_line_column_and_reason(bad_row, column, reason):
    text = csv_text(row("E1"), bad_row, row("E3"))
    result = plan_people_import(text)
    assert errors_of(result) == [(3, column, reason)]
    assert [c.employee_id for c in result.created] == ["E1", "E3"]


def test_one_row_can_have_several_errors_and_counts_once():
    result = plan_people_import(csv_text(row("E1", email="no", hire_date="tomorrow", level="x")))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "email"),
        (2, "hire_date"),
        (2, "level"),
    ]
    assert result.bad_rows == 1


def test_line_numbers_count_physical_lines_with_blank_lines_and_multiline_values():
    text = (
        "employee_id,email,first_name,last_name,title\n"
        'E1,e1@example.com,Ada,Lovelace,"Head of\nEngineering"\n'
        "\n"
        "E2,bad-email,Bob,Smith,Engineer\n"
        "E3,e3@example.com,Cy,Jones,Engineer,extra\n"
    )
    result = plan_people_import(text)
    assert [(e.line, e.column) for e in result.errors] == [(5, "email"), (6, "")]
    assert "6 values but the header has 5 columns" in result.errors[1].reason


def test_error_names_the_column_as_written_in_the_file():
    text = "Employee ID,Work Email,First Name,Last Name\nE1,nope,Ada,Lovelace\n"
    assert errors_of(plan_people_import(text)) == [
        (2, "Work Email", "'nope' is not a valid email address.")
    ]


def test_import_rejects_duplicate_employee_id_naming_the_first_line():
    text = csv_text(row("E1"), row("E2"), row("E1", email="other@example.com"))
    result = plan_people_import(text)
    assert errors_of(result) == [
        (4, "employee_id", "Duplicate employee id 'E1': already used on line 2.")
    ]


def test_import_rejects_duplicate_email_whatever_its_case():
    text = csv_text(row("E1", email="ada@example.com"), row("E2", email="ADA@example.com"))
    assert errors_of(plan_people_import(text)) == [
        (3, "email", "Duplicate email 'ADA@example.com': already used on line 2.")
    ]


def test_import_rejects_manager_cycle_on_every_row_of_the_cycle():
    text = csv_text(
        row("E1"),
        row("E2", manager="E3"),
        row("E3", manager="e4@example.com"),
        row("E4", manager="E2"),
        row("E5", manager="E1"),
    )
    result = plan_people_import(text)
    assert errors_of(result) == [
        (3, "manager_id", "Manager cycle: E2 → E3 → E4 → E2."),
        (4, "manager_id", "Manager cycle: E3 → E4 → E2 → E3."),
        (5, "manager_id", "Manager cycle: E4 → E2 → E3 → E4."),
    ]
    assert [c.employee_id for c in result.created] == ["E1", "E5"]


def test_import_rejects_cycle_through_someone_already_in_the_directory():
    boss = PersonFactory(employee_id="B1")
    report = PersonFactory(employee_id="R1", manager=boss)
    # The file makes B1 report to R1, who (in the directory) reports to B1.
    result = plan_people_import(csv_text(row("B1", email=boss.email, manager="R1")))
    assert errors_of(result) == [(2, "manager_id", "Manager cycle: B1 → R1 → B1.")]
    assert report.manager == boss


def test_rows_reporting_to_a_bad_row_are_reported_too():
    text = csv_text(
        row("E1", email="broken"),
        row("E2", manager="E1"),
        row("E3", manager="E2"),
        row("E4"),
    )
    result = plan_people_import(text)
    assert errors_of(result) == [
        (2, "email", "'broken' is not a valid email address."),
        (3, "manager_id", "The manager 'E1' is on line 2, which has errors."),
        (4, "manager_id", "The manager 'E2' is on line 3, which has errors."),
    ]
    assert [c.employee_id for c in result.created] == ["E4"]


def test_manager_may_be_named_by_email_or_be_in_the_directory_already():
    existing = PersonFactory(employee_id="OLD1", email="old.boss@example.com", is_active=False)
    text = csv_text(
        row("E1", manager="OLD1"),
        row("E2", manager="Old.Boss@example.com"),
        row("E3", manager="E4@EXAMPLE.COM"),
        row("E4"),
    )
    import_people(text, deactivate_missing=False)
    managers = dict(Person.objects.values_list("employee_id", "manager__employee_id"))
    assert managers == {"OLD1": None, "E1": "OLD1", "E2": "OLD1", "E3": "E4", "E4": None}
    existing.refresh_from_db()
    assert not existing.is_active


def test_email_of_someone_outside_the_file_is_reported():
    PersonFactory(employee_id="X1", email="taken@example.com", first_name="Tom", last_name="Kay")
    result = plan_people_import(csv_text(row("E1", email="taken@example.com")))
    assert errors_of(result) == [
        (
            2,
            "email",
            "'taken@example.com' already belongs to employee 'X1' (Tom Kay) in the directory, "
            "who is not in this file.",
        )
    ]


def test_two_people_can_swap_email_addresses():
    PersonFactory(employee_id="E1", email="one@example.com")
    PersonFactory(employee_id="E2", email="two@example.com")
    result = import_people(
        csv_text(row("E1", email="two@example.com"), row("E2", email="one@example.com")),
        deactivate_missing=False,
    )
    assert [change.fields[:1] for change in result.updated] == [("email",), ("email",)]
    emails = dict(Person.objects.values_list("employee_id", "email"))
    assert emails == {"E1": "two@example.com", "E2": "one@example.com"}


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("5", 5),
        ("05", 5),
        ("5.0", 5),
        ("L5", 5),
        ("IC5", 5),
        ("Level 5", 5),
        ("grade-12", 12),
        ("", None),
    ],
)
def test_level_accepts_numbers_with_a_letter_prefix(text, level):
    import_people(csv_text(row("E1", level=text)))
    assert Person.objects.get().level == level


# Applying: all or nothing, idempotent, never deleting.


def test_bad_rows_change_nothing_without_skip_invalid():
    PersonFactory(employee_id="E1", title="Old title")
    text = csv_text(row("E1", title="New title"), row("E2"), row("E3", email="bad"))

    with pytest.raises(InvalidRowsError) as caught:
        import_people(text)

    assert caught.value.result.bad_lines == [4]
    assert str(caught.value) == "1 bad row: nothing was imported."
    assert list(Person.objects.values_list("employee_id", "title")) == [("E1", "Old title")]


def test_skip_invalid_imports_the_valid_rows():
    text = csv_text(row("E1"), row("E2", email="bad"), row("E3"))
    result = import_people(text, skip_invalid=True)
    assert result.applied and result.bad_lines == [3]
    assert sorted(Person.objects.values_list("employee_id", flat=True)) == ["E1", "E3"]


def test_dry_run_writes_nothing():
    PersonFactory(employee_id="GONE")
    result = import_people(csv_text(row("E1", skills="Chess")), dry_run=True)
    assert not result.applied
    assert [c.employee_id for c in result.created] == ["E1"]
    assert [c.employee_id for c in result.deactivated] == ["GONE"]
    assert Person.objects.active().count() == 1 and not Skill.objects.exists()


def test_reimporting_the_same_file_changes_nothing():
    text = csv_text(
        row("E1", skills="Python;Go", languages="English"),
        row("E2", manager="E1", department="Data", time_zone=""),
        row("E3", manager="e2@example.com", level="L4", hire_date=""),
    )
    import_people(text)
    before = list(Person.objects.values_list("pk", "updated_at", "reporting_path"))

    again = import_people(text)

    assert again.counts() == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "deactivated": 0,
        "bad_rows": 0,
    }
    assert list(Person.objects.values_list("pk", "updated_at", "reporting_path")) == before


def test_update_reports_exactly_the_fields_that_changed():
    text = csv_text(row("E1"), row("E2", manager="E1"), row("E3"))
    import_people(text)
    changed = csv_text(
        row("E1", title="CTO"),
        row("E2", manager="E3", department="Platform"),
        row("E3", skills="Kotlin"),
    )
    result = import_people(changed)
    assert [(c.employee_id, c.fields) for c in result.updated] == [
        ("E1", ("title",)),
        ("E2", ("department", "manager")),
        ("E3", ("skills",)),
    ]
    e2 = Person.objects.get(employee_id="E2")
    assert (e2.manager.employee_id, e2.department.name) == ("E3", "Platform")
    assert e2.reporting_path.startswith(Person.objects.get(employee_id="E3").reporting_path)


def test_blank_cells_clear_directory_fields():
    import_people(csv_text(row("E1", title="CTO", level="7", hire_date="2020-01-01")))
    import_people(csv_text(row("E1", title="", department="", level="", hire_date="")))
    person = Person.objects.get()
    assert (person.title, person.department, person.level, person.hire_date) == (
        "",
        None,
        None,
        None,
    )


def test_full_import_deactivates_missing_people_and_never_deletes():
    leaver = PersonFactory(employee_id="LEFT", email="left@example.com")
    result = import_people(csv_text(row("E1")))
    assert [c.employee_id for c in result.deactivated] == ["LEFT"]
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert Person.objects.count() == 2


def test_partial_import_leaves_missing_people_alone():
    stayer = PersonFactory(employee_id="STAY")
    result = import_people(csv_text(row("E1")), deactivate_missing=False)
    assert result.deactivated == []
    stayer.refresh_from_db()
    assert stayer.is_active


def test_people_on_bad_rows_are_not_deactivated():
    bob = PersonFactory(employee_id="E2", email="e2@example.com", title="Engineer")
    result = import_people(
        csv_text(row("E1"), row("E2", hire_date="yesterday", title="Changed")), skip_invalid=True
    )
    assert result.deactivated == []
    bob.refresh_from_db()
    assert bob.is_active and bob.title == "Engineer"


def test_person_back_in_the_file_is_reactivated():
    PersonFactory(employee_id="E1", email="e1@example.com", is_active=False)
    result = import_people(csv_text(row("E1")), deactivate_missing=False)
    assert "is_active" in result.updated[0].fields and result.updated[0].is_reactivation
    assert Person.objects.get().is_active


# Skills, languages and time zones that people also edit on their profile.


def test_skill_aliases_and_spellings_resolve_to_existing_skills():
    product = SkillFactory(name="Product management")
    SkillAlias.objects.create(skill=product, alias="PM")
    stakeholders = SkillFactory(name="Stakeholder management")
    LanguageFactory(name="English")
    import_people(
        csv_text(
            row("E1", skills="pm; stakeholder-management", languages="ENGLISH;español"),
        )
    )
    person = Person.objects.get()
    assert set(person.skills.all()) == {product, stakeholders}
    assert Skill.objects.count() == 2
    # New languages written all in lower (or upper) case are capitalised.
    assert sorted(person.languages.values_list("name", flat=True)) == ["English", "Español"]


def test_import_adds_skills_and_languages_without_removing_profile_choices():
    import_people(csv_text(row("E1")))
    person = Person.objects.get()
    person.skills.add(SkillFactory(name="Public speaking"))
    result = import_people(csv_text(row("E1", skills="Python", languages="")))
    assert result.updated[0].fields == ("skills",)
    assert sorted(person.skills.values_list("name", flat=True)) == ["Public speaking", "Python"]
    assert import_people(csv_text(row("E1", skills="Python"))).counts()["updated"] == 0


def test_blank_time_zone_keeps_the_persons_own_choice():
    PersonFactory(employee_id="E1", email="e1@example.com", time_zone="Asia/Tokyo")
    import_people(csv_text(row("E1", time_zone="")))
    assert Person.objects.get().time_zone == "Asia/Tokyo"
    import_people(csv_text(row("E1", time_zone="America/Chicago")))
    assert Person.objects.get().time_zone == "America/Chicago"


def test_departments_and_locations_are_matched_ignoring_case():
    Department.objects.create(name="Engineering")
    import_people(csv_text(row("E1", department="engineering", location="London")))
    assert Department.objects.count() == 1 and Location.objects.count() == 1


# The command.


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("import_people", *args, stdout=out)
    return out.getvalue()


def test_command_dry_run_prints_summary_and_every_bad_row(tmp_path):
    PersonFactory(employee_id="OLD", first_name="Otto", last_name="Old")
    path = tmp_path / "people.csv"
    path.write_text(csv_text(row("E1"), row("E2", email="bob@"), row("E3", hire_date="2021-13-01")))

    output = run_command(str(path), "--dry-run", "--verbosity", "2")

    assert output.splitlines() == [
        "Dry run, nothing changed: would create 1, update 0, leave 0 unchanged, deactivate 1; "
        "2 bad rows.",
        "line 3, column email: 'bob@' is not a valid email address.",
        "line 4, column hire_date: '2021-13-01' is not a real date.",
        "  create      E1  Ada Lovelace  (line 2)",
        "  deactivate  OLD  Otto Old",
    ]
    assert Person.objects.count() == 1


def test_command_exits_2_and_changes_nothing_when_rows_are_bad(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(row("E1"), row("E2", email="bob@")))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_people", str(path), stdout=out)
    assert caught.value.returncode == 2
    assert "1 bad row: nothing was imported" in str(caught.value)
    assert "--skip-invalid to import the other 1" in str(caught.value)
    assert "line 3, column email: 'bob@' is not a valid email address." in out.getvalue()
    assert not Person.objects.exists()


def test_command_skip_invalid_and_no_deactivate(tmp_path):
    PersonFactory(employee_id="STAY")
    path = tmp_path / "people.csv"
    path.write_text(csv_text(row("E1"), row("E2", email="bob@")))
    output = run_command(str(path), "--skip-invalid", "--no-deactivate")
    assert output.splitlines()[0] == (
        "Imported: 1 created, 0 updated, 0 unchanged, 0 deactivated, 1 bad row skipped."
    )
    assert Person.objects.active().count() == 2


def test_command_reports_unreadable_file_with_exit_code_2(tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as caught:
        run_command(str(tmp_path / "missing.csv"))
    assert caught.value.returncode == 2
    path = tmp_path / "people.csv"
    path.write_text("name,mail\nAda,a@example.com\n")
    with pytest.raises(CommandError, match="no employee_id, first_name, last_name columns"):
        run_command(str(path))


def test_trellis_command_line_exits_2_on_bad_rows(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(csv_text(row("E1", manager="NOBODY")))
    with pytest.raises(SystemExit) as caught:
        trellis_main(["trellis", "import-people", str(path)])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert "line 2, column manager_id: Unknown manager 'NOBODY'" in captured.out
    assert "nothing was imported" in captured.err


# The acceptance scenario: 10,000 rows, 20 of them bad.


def hris_file(rows: int, bad: dict[int, str]) -> str:
    """A 10,000-row export where the row numbers in `bad` carry the given fault (none manages)."""
    rng = random.Random(7)
    lines = [HEADER]
    good = [0]
    for n in range(rows):
        employee_id = f"E{n:05d}"
        manager = f"E{rng.choice(good[-200:]):05d}" if n else ""
        fields = {"manager": manager}
        match bad.get(n):
            case "email":
                fields["email"] = f"person{n}.example.com"
            case "date":
                fields["hire_date"] = "2021-02-30"
            case "zone":
                fields["time_zone"] = "Europe/Atlantis"
            case "manager":
                fields["manager"] = "E99999"
            case "duplicate":
                employee_id = "E00001"
                fields["email"] = f"dup{n}@example.com"
            case "level":
                fields["level"] = "senior"
            case "cycle-a":
                fields["manager"] = f"E{n + 1:05d}"
            case "cycle-b":
                fields["manager"] = f"E{n - 1:05d}"
            case "self":
                fields["manager"] = employee_id
            case "first_name":
                fields["first_name"] = ""
            case None:
                good.append(n)
        lines.append(row(employee_id, skills="Python;Go", languages="English", **fields))
    return "\n".join(lines) + "\n"


def test_ten_thousand_rows_with_twenty_bad_ones(tmp_path):
    kinds = ["email", "date", "zone", "manager", "duplicate", "level", "self", "first_name"]
    bad = {500 * k + 37: kinds[k % len(kinds)] for k in range(18)}
    bad[9001], bad[9002] = "cycle-a", "cycle-b"
    assert len(bad) == 20
    path = tmp_path / "hris.csv"
    path.write_text(hris_file(10_000, bad))
    expected_lines = sorted(n + 2 for n in bad)

    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_people", str(path), stdout=out)
    assert caught.value.returncode == 2
    reported = [line for line in out.getvalue().splitlines() if line.startswith("line ")]
    assert [int(line.split(",")[0].removeprefix("line ")) for line in reported] == expected_lines
    assert "line 9003, column manager_id: Manager cycle: E09001 → E09002 → E09001." in reported
    assert not Person.objects.exists()

    output = run_command(str(path), "--skip-invalid")
    assert output.splitlines()[0] == (
        "Imported: 9,980 created, 0 updated, 0 unchanged, 0 deactivated, 20 bad rows skipped."
    )
    assert Person.objects.count() == 9_980

    output = run_command(str(path), "--skip-invalid")
    assert output.splitlines()[0] == (
        "Imported: 0 created, 0 updated, 9,980 unchanged, 0 deactivated, 20 bad rows skipped."
    )


def test_user_guide_lists_every_column_alias():
    from pathlib import Path

    from trellis.people.importing import HEADER_ALIASES

    guide = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text()
    for aliases in HEADER_ALIASES.values():
        for alias in aliases:
            assert f"`{alias}`" in guide, alias


def test_excel_export_with_bom_and_windows_line_endings_keeps_line_numbers():
    text = csv_text(row("E1"), row("E2", email="bad"), row("E3")).replace("\n", "\r\n")
    result = plan_people_import(b"\xef\xbb\xbf" + text.encode())
    assert result.columns["employee_id"] == "employee_id"
    assert errors_of(result) == [(3, "email", "'bad' is not a valid email address.")]
    assert [c.line for c in result.created] == [2, 4]


def test_the_same_invalid_email_on_two_lines_is_one_error_each_not_a_duplicate():
    result = plan_people_import(
        csv_text(row("E1", email="not-an-email"), row("E2", email="not-an-email"))
    )
    assert [(line, reason) for line, _, reason in errors_of(result)] == [
        (2, "'not-an-email' is not a valid email address."),
        (3, "'not-an-email' is not a valid email address."),
    ]


def test_people_who_leave_can_no_longer_sign_in_and_can_again_when_they_return(client):
    from django.urls import reverse

    from tests.factories import ParticipantFactory

    account = ParticipantFactory(person=PersonFactory(employee_id="LEFT"))
    credentials = {"username": account.email, "password": "correct horse battery"}
    client.force_login(account)
    import_people(csv_text(row("E1")))
    account.refresh_from_db()
    assert not account.is_active
    # The open session ends and signing in again is refused.
    assert client.get(reverse("core:home")).status_code == 302
    assert client.post(reverse("accounts:login"), credentials).status_code == 200

    import_people(csv_text(row("E1"), row("LEFT", email=account.person.email)))
    account.refresh_from_db()
    assert account.is_active
    assert client.post(reverse("accounts:login"), credentials).status_code == 302
