"""The reporting pages render the figures, check who may see them, and export every table."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ProgramFactory, ProgramManagerFactory
from tests.reports.conftest import NOW, at, meeting, pair, rate, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, program_manager):
    client.force_login(program_manager)
    return client


def test_dashboard_shows_the_figures_and_the_chart_data(manager_client, small_program):
    response = manager_client.get(reverse("reports:dashboard", args=[small_program.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("registrations", "meetings", "rating_distribution", "rating_trend"):
        assert f'data-chart="chart-{chart}"' in html
        assert f'<script id="chart-{chart}" type="application/json">' in html
    assert "chart.umd.min.js" in html and "charts.js" in html
    assert "66.7 %" in html  # match rate
    assert "How satisfied are you?" in html
    assert "Other groups (2, each under 5 people)" in html
    assert "Great" not in html  # a written survey answer is never shown


def test_another_programs_manager_cannot_open_the_dashboard(client, small_program):
    client.force_login(ProgramManagerFactory())
    for name in ("dashboard", "summary", "outcomes"):
        assert client.get(reverse(f"reports:{name}", args=[small_program.slug])).status_code == 403
    url = reverse("reports:export", args=[small_program.slug, "all", "xlsx"])
    assert client.get(url).status_code == 403


def test_participants_cannot_open_reports(participant_client, small_program):
    assert participant_client.get(reverse("reports:overview")).status_code == 403
    url = reverse("reports:dashboard", args=[small_program.slug])
    assert participant_client.get(url).status_code == 403


def test_every_table_exports_to_csv_and_xlsx(manager_client, small_program):
    slug = small_program.slug
    response = manager_client.get(reverse("reports:export", args=[slug, "all", "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = workbook.sheetnames
    assert "OKR progress" in sheets and "Meetings by month" in sheets and "By location" in sheets
    rows = list(workbook["Meetings by month"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Month", "Meetings held")
    assert rows[1][:2] == ("Apr 2026", 1) and rows[2][:2] == ("May 2026", 3)
    for key in ("registrations", "meetings", "ratings", "surveys", "goals", "by_location"):
        csv_response = manager_client.get(reverse("reports:export", args=[slug, key, "csv"]))
        assert csv_response.status_code == 200, key
        assert csv_response["Content-Type"].startswith("text/csv")
        xlsx = manager_client.get(reverse("reports:export", args=[slug, key, "xlsx"]))
        assert load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 2, key
    text = manager_client.get(reverse("reports:export", args=[slug, "by_location", "csv"]))
    table = list(csv.reader(io.StringIO(text.content.decode())))
    assert table[0][0] == "\ufeffLocation"  # a byte-order mark, for Excel
    assert table[1] == ["London", "5", "2", "3", "3", "100.0", "", ""]  # ratings hidden
    assert (
        manager_client.get(reverse("reports:export", args=[slug, "nope", "csv"])).status_code == 404
    )
    assert (
        manager_client.get(reverse("reports:export", args=[slug, "all", "csv"])).status_code == 404
    )


def test_text_that_looks_like_a_formula_is_exported_as_text(manager_client, program_manager):
    program = ProgramFactory(name="=HYPERLINK(1)", managed_by=[program_manager])
    response = manager_client.get(reverse("reports:overview_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
    response = manager_client.get(reverse("reports:overview_export", args=["csv"]))
    assert "'=HYPERLINK(1)" in response.content.decode()
    assert program.name in manager_client.get(reverse("reports:overview")).content.decode()


def test_summary_page_prints_on_one_page(manager_client, small_program):
    response = manager_client.get(reverse("reports:summary", args=[small_program.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-print" in html and "summary-grid" in html
    assert "66.7 %" in html


def _grow(program, n):
    """Add n more pairs with meetings, ratings and registrations in the same program."""
    from tests.factories import DepartmentFactory, LocationFactory

    department, location = DepartmentFactory(name="Grown"), LocationFactory(name="Grown")
    for k in range(n):
        mentor = register(
            program,
            f"GM{k}",
            "mentor",
            "approved",
            "2026-05-02",
            department=department,
            location=location,
            level=5 + k % 3,
        )
        mentee = register(
            program,
            f"GE{k}",
            "mentee",
            "matched",
            "2026-05-03",
            department=department,
            location=location,
            level=1 + k % 4,
        )
        mentorship = pair(program, mentor, mentee, "2026-05-06")
        for day in ("2026-05-10", "2026-06-01"):
            rate(meeting(mentorship, day), mentee, 1 + k % 4)


def test_dashboard_queries_do_not_grow_with_the_data(manager_client, small_program):
    url = reverse("reports:dashboard", args=[small_program.slug])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(url).status_code == 200
        return len(queries)

    count()  # the first view creates the program's report settings
    before = count()
    _grow(small_program, 12)
    assert count() == before


def test_overview_lists_only_the_managers_programs(manager_client, small_program):
    ProgramFactory(name="Someone else's program")
    html = manager_client.get(reverse("reports:overview")).content.decode()
    assert small_program.name in html and "Someone else" not in html
    assert at("2026-01-01")  # the conftest helpers are importable here


def test_leaders_receive_the_monthly_summary_once_a_month(small_program, mailoutbox):
    from trellis.reports.models import ReportSettings
    from trellis.reports.monthly import send_monthly_summaries

    leader = register(
        small_program,
        "Leader",
        "mentor",
        "approved",
        "2026-04-01",
        department=None,
        location=None,
        level=9,
    ).person
    gone = register(
        small_program,
        "Gone",
        "mentor",
        "approved",
        "2026-04-01",
        department=None,
        location=None,
        level=9,
    ).person
    gone.is_active = False
    gone.save()
    ReportSettings.objects.create(program=small_program).leaders.set([leader, gone])

    assert send_monthly_summaries(now=NOW) == 1
    assert send_monthly_summaries(now=NOW) == 0  # once a month, however often it runs
    (email,) = mailoutbox
    assert email.to == [leader.email]
    assert email.subject == f"{small_program.name}: the mentoring summary for June 2026"
    assert "4 have had a pair; 4 of 6 matched now (66.7 %)" in email.body
    assert "3 active pairs, 1 at risk" in email.body
    assert f"/programs/{small_program.slug}/reports/summary/" in email.body
    next_month = NOW + datetime.timedelta(days=20)
    assert send_monthly_summaries(now=next_month) == 1


def test_exports_survive_control_characters(manager_client, program_manager):
    ProgramFactory(name="Pilot\x0b cohort", managed_by=[program_manager])
    response = manager_client.get(reverse("reports:overview_export", args=["xlsx"]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.cell(2, 1).value == "Pilot cohort"


def test_a_key_result_with_a_target_of_zero_does_not_break_the_dashboard(
    manager_client, small_program
):
    from trellis.programs.models import KeyResult, Objective

    objective = Objective.objects.create(program=small_program, title="Keep rematches at zero")
    KeyResult.objects.create(objective=objective, title="Pairs rated", metric="", target=0)
    KeyResult.objects.filter(objective=objective).update(manual_value=0)
    response = manager_client.get(reverse("reports:dashboard", args=[small_program.slug]))
    assert response.status_code == 200
    assert "Keep rematches at zero" in response.content.decode()
