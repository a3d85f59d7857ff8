"""A program manager opens the reports in a real browser: the charts draw, the exports
download and open, and the summary prints on one page."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.reports.conftest import small_program  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_opens_the_dashboard_downloads_exports_and_prints_the_summary(
    sign_in,
    live_server,
    browser_errors,
    program_manager,
    small_program,  # noqa: F811
):
    page = sign_in(program_manager.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.get_by_role("link", name=small_program.name).click()
    expect(page).to_have_url(f"{live_server.url}/programs/{small_program.slug}/reports/")

    # Every chart is drawn by Chart.js (the script marks the canvas once drawn).
    charts = page.locator("canvas[data-chart]")
    expect(charts).to_have_count(4)
    for index in range(4):
        expect(charts.nth(index)).to_have_attribute("data-drawn", "true")
    expect(page.locator(".report-cards")).to_contain_text("match rate (4 of 6 matched now")
    assert browser_errors == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Every table (XLSX)").click()
    download = download_info.value
    assert re.fullmatch(
        rf"{small_program.slug}-\d{{4}}-\d\d-\d\d\.xlsx", download.suggested_filename
    )
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert {"OKR progress", "Registrations by month", "Meetings by month", "By level"} <= set(
        workbook.sheetnames
    )
    rows = list(workbook["Goals"].iter_rows(values_only=True))
    assert rows[1][:4] == (4, 1, 2, 1)  # set, achieved, in progress, dropped

    page.get_by_text("Figures").first.click()
    with page.expect_download() as download_info:
        page.locator("#table-registrations").get_by_role("link", name="CSV").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")  # Excel's BOM
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "Month" and table[1][:3] == ["Apr 2026", "2", "4"]

    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", name=small_program.name, level=1)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one page
    assert browser_errors == []
