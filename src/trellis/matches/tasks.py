"""Background work of matching: a run can take seconds for thousands of participants."""

from django.tasks import task


@task(queue_name="default")
def execute_match_run(run_id: int) -> str:
    from .models import MatchRun
    from .services import execute_run

    run = execute_run(MatchRun.objects.get(pk=run_id))
    return run.status
