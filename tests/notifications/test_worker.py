"""Email goes through the database-backed queue and is sent by the worker, not the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from trellis.notifications.services import send_templated_email


@pytest.fixture
def database_queue(settings):
    # Django resets its task backends when TASKS changes (setting_changed signal).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_queued_email_is_sent_by_the_worker(database_queue):
    send_templated_email(
        "password_reset", "ada@example.com", {"first_name": "Ada", "reset_url": "http://x/r/"}
    )
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
