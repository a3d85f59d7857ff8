"""Background work of matching: a run can take seconds for thousands of participants."""

from django.tasks import task


@task(queue_name="default")
def introduce_published_run(run_id: int, first_meeting: str) -> int:
    """The introduction emails of a published run (two per pair, one per circle member), off
    the request that published it; returns how many pairs were introduced."""
    import datetime

    from .services import introduce_run

    return introduce_run(run_id, datetime.date.fromisoformat(first_meeting))


@task(queue_name="default")
def execute_match_run(run_id: int) -> str:
    from .models import MatchRun
    from .services import execute_run

    run = execute_run(MatchRun.objects.get(pk=run_id))
    return run.status
