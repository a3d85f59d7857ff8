"""The admin's directory import pages: upload, preview, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PersonFactory
from trellis.people.models import DirectoryImport, Person

pytestmark = pytest.mark.django_db

GOOD_FILE = (
    "Employee ID,Work Email,First Name,Last Name,Job Title,Reports To\n"
    "E1,grace@example.com,Grace,Hopper,Rear Admiral,\n"
    "E2,alan@example.com,Alan,Turing,Mathematician,E1\n"
)
BAD_FILE = GOOD_FILE + "E3,kat@,Katherine,Johnson,Mathematician,E1\n"


def upload(client, text: str, *, deactivate_missing: bool = True, name: str = "hris.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}
    if deactivate_missing:
        data["deactivate_missing"] = "on"
    return client.post(reverse("people:import"), data)


def preview_url(directory_import: DirectoryImport) -> str:
    return reverse("people:import_preview", args=[directory_import.token])


def test_participant_cannot_open_the_import_pages(participant_client):
    pending = DirectoryImport.objects.create(file_name="x.csv", content=GOOD_FILE)
    assert participant_client.get(reverse("people:import")).status_code == 403
    assert participant_client.get(preview_url(pending)).status_code == 403
    assert participant_client.post(preview_url(pending)).status_code == 403
    assert upload(participant_client, GOOD_FILE).status_code == 403
    pending.refresh_from_db()
    assert not pending.is_applied and DirectoryImport.objects.count() == 1
    assert not Person.objects.filter(employee_id__in=["E1", "E2"]).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("people:import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_upload_page_has_a_labelled_file_input_and_deactivation_choice(admin_client_):
    response = admin_client_.get(reverse("people:import"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'for="id_file"' in html and "HRIS export (CSV)" in html
    assert "Deactivate people missing from the file" in html
    assert 'name="deactivate_missing"' in html and "checked" in html


def test_admin_uploads_previews_and_confirms_an_import(admin_client_, org_admin):
    # An IT admin account with no directory record, so the full import cannot lock it out.
    org_admin.person = None
    org_admin.save()
    leaver = PersonFactory(employee_id="LEFT", first_name="Lou", last_name="Leaver")

    response = upload(admin_client_, GOOD_FILE)

    directory_import = DirectoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(directory_import)
    assert directory_import.uploaded_by == org_admin and directory_import.file_name == "hris.csv"
    assert not Person.objects.filter(employee_id="E1").exists()

    page = admin_client_.get(preview_url(directory_import)).content.decode()
    assert "Preview: hris.csv" in page
    assert "Grace" in page and "Alan" in page
    assert "To deactivate" in page and "Lou Leaver" in page and "LEFT" in page
    assert "Bad rows" not in page
    assert not Person.objects.filter(employee_id="E1").exists()

    response = admin_client_.post(preview_url(directory_import), follow=True)

    assert response.status_code == 200
    alan = Person.objects.get(employee_id="E2")
    assert alan.manager.employee_id == "E1" and alan.title == "Mathematician"
    leaver.refresh_from_db()
    assert not leaver.is_active
    directory_import.refresh_from_db()
    assert directory_import.is_applied and directory_import.applied_by == org_admin
    assert directory_import.summary["counts"]["created"] == 2
    html = response.content.decode()
    assert "Directory imported: 2 created" in html
    assert "Imported hris.csv" in html


def test_partial_upload_leaves_missing_people_active(admin_client_):
    stayer = PersonFactory(employee_id="STAY")
    upload(admin_client_, GOOD_FILE, deactivate_missing=False)
    directory_import = DirectoryImport.objects.get()
    assert not directory_import.deactivate_missing
    admin_client_.post(preview_url(directory_import))
    stayer.refresh_from_db()
    assert stayer.is_active and Person.objects.filter(employee_id="E1").exists()


def test_file_missing_required_columns_is_refused_on_upload(admin_client_):
    response = upload(admin_client_, "name,mail\nAda,ada@example.com\n")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The file was not accepted" in html
    assert "The file has no employee_id, first_name, last_name columns" in html
    assert not DirectoryImport.objects.exists()


def test_preview_lists_bad_rows_and_confirm_without_skipping_changes_nothing(admin_client_):
    upload(admin_client_, BAD_FILE, deactivate_missing=False)
    directory_import = DirectoryImport.objects.get()

    page = admin_client_.get(preview_url(directory_import)).content.decode()
    assert "Bad rows" in page
    assert "<td>4</td><td>Work Email</td><td>kat@</td>" in page
    assert "&#x27;kat@&#x27; is not a valid email address." in page
    assert "Skip the bad rows and import the rest" in page

    response = admin_client_.post(preview_url(directory_import), follow=True)
    assert "1 bad row: nothing was imported." in response.content.decode()
    assert not Person.objects.filter(employee_id__in=["E1", "E2", "E3"]).exists()
    directory_import.refresh_from_db()
    assert not directory_import.is_applied

    response = admin_client_.post(
        preview_url(directory_import), {"skip_invalid": "on"}, follow=True
    )
    imported = Person.objects.filter(employee_id__in=["E1", "E2", "E3"])
    assert sorted(imported.values_list("employee_id", flat=True)) == ["E1", "E2"]
    html = response.content.decode()
    assert "1 bad row skipped" in html
    assert "Skipped rows" in html and "kat@" in html


def test_confirming_twice_is_refused(admin_client_):
    upload(admin_client_, GOOD_FILE, deactivate_missing=False)
    directory_import = DirectoryImport.objects.get()
    admin_client_.post(preview_url(directory_import))
    Person.objects.filter(employee_id="E1").update(title="Changed since")

    response = admin_client_.post(preview_url(directory_import), follow=True)

    assert "This file was already imported on" in response.content.decode()
    assert Person.objects.get(employee_id="E1").title == "Changed since"


def test_confirm_checks_the_file_again_against_the_directory(admin_client_):
    upload(admin_client_, GOOD_FILE, deactivate_missing=False)
    directory_import = DirectoryImport.objects.get()
    # After the preview, someone outside the file takes an address the file uses.
    PersonFactory(employee_id="X9", email="alan@example.com")

    response = admin_client_.post(preview_url(directory_import), follow=True)

    assert "1 bad row: nothing was imported." in response.content.decode()
    assert not Person.objects.filter(employee_id="E1").exists()


def test_preview_queries_do_not_grow_with_the_file(admin_client_, django_assert_max_num_queries):
    rows = "".join(f"N{n},n{n}@example.com,New,Person{n},Engineer,\n" for n in range(300))
    upload(admin_client_, GOOD_FILE + rows, deactivate_missing=False)
    directory_import = DirectoryImport.objects.get()
    with django_assert_max_num_queries(20):
        response = admin_client_.get(preview_url(directory_import))
    html = response.content.decode()
    assert "and 252 more." in html  # 302 to create, 50 listed


def test_unknown_import_token_is_not_found(admin_client_):
    response = admin_client_.get(
        reverse("people:import_preview", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404


def test_import_that_would_deactivate_the_admin_applying_it_is_refused(admin_client_, org_admin):
    upload(admin_client_, GOOD_FILE)
    directory_import = DirectoryImport.objects.get()
    page = admin_client_.get(preview_url(directory_import)).content.decode()
    assert "would deactivate your own record" in page

    response = admin_client_.post(preview_url(directory_import), follow=True)

    assert "would deactivate your own record and end your access" in response.content.decode()
    org_admin.refresh_from_db()
    org_admin.person.refresh_from_db()
    assert org_admin.is_active and org_admin.person.is_active
    assert not Person.objects.filter(employee_id="E1").exists()
    directory_import.refresh_from_db()
    assert not directory_import.is_applied
