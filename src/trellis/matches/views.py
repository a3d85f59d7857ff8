"""Matching pages for a program's managers: start a run, follow its progress, review and adjust
the proposals, compare two runs, publish one. Every view goes through
`program_manager_of_program` (403 for anyone who does not manage the program)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trellis.enrolment.models import Participant
from trellis.mentorships.models import RematchRequest, RematchStatus
from trellis.mentorships.services import MentorshipError, resolve_rematch
from trellis.programs.models import Role
from trellis.programs.permissions import program_manager_of_program

from .forms import CRITERION_LABELS, ProposalActionForm, RunSettingsForm
from .models import MatchRun, PairRule, RuleKind, RunStatus
from .services import (
    MatchError,
    assign_by_hand,
    compare_runs,
    default_settings,
    publish_run,
    remove_rule,
    rerun,
    set_rule,
    start_run,
)

PAGE_SIZE = 100


def _run(program, number: int) -> MatchRun:
    return get_object_or_404(MatchRun, program=program, number=number)


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def runs(request, program):
    latest = program.match_runs.first()
    initial = latest.settings if latest else default_settings(program)
    if request.method == "POST":
        form = RunSettingsForm(request.POST, initial_settings=initial)
        if form.is_valid():
            chosen = form.settings()
            try:
                run = start_run(
                    program,
                    by=request.user,
                    weights=chosen["weights"],
                    options=chosen["options"],
                    min_score=chosen["min_score"],
                    fairness=chosen["fairness"],
                )
            except MatchError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Run {run.number} has started.")
                return redirect("matches:run", slug=program.slug, number=run.number)
    else:
        form = RunSettingsForm(initial_settings=initial)
    rules = PairRule.objects.filter(program=program).select_related(
        "mentee__person", "mentor__person"
    )
    return render(
        request,
        "matches/runs.html",
        {
            "program": program,
            "form": form,
            "runs": program.match_runs.all()[:50],
            "rules": rules,
        },
    )


def _proposals(run: MatchRun, request):
    proposals = run.proposals.select_related("mentee__person", "mentor__person")
    query = request.GET.get("q", "").strip()[:200]
    if query:
        words = Q()
        for field in ("first_name", "last_name", "email"):
            words |= Q(**{f"mentee__person__{field}__icontains": query})
            words |= Q(**{f"mentor__person__{field}__icontains": query})
        proposals = proposals.filter(words)
    show = request.GET.get("show", "")
    if show == "unmatched":
        proposals = proposals.filter(mentor__isnull=True)
    elif show == "edited":
        proposals = proposals.exclude(source="engine")
    # unmatched first, then the weakest pairs: what a reviewer looks at first
    proposals = proposals.order_by(F("score").asc(nulls_first=True), "pk")
    return Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page")), query, show


@program_manager_of_program
@require_safe
def run_detail(request, program, number: int):
    run = _run(program, number)
    page, query, show = _proposals(run, request)
    histogram = run.summary.get("histogram") or []
    tallest = max(histogram or [0]) or 1
    bars = [
        {
            "low": k / 10,
            "high": (k + 1) / 10,
            "count": count,
            "height": round(100 * count / tallest),
            "x": k * 30,
            "y": 100 - round(100 * count / tallest),
        }
        for k, count in enumerate(histogram)
    ]
    others = program.match_runs.exclude(pk=run.pk).filter(
        status__in=[RunStatus.READY, RunStatus.PUBLISHED, RunStatus.SUPERSEDED]
    )[:20]
    return render(
        request,
        "matches/run.html",
        {
            "program": program,
            "run": run,
            "page_obj": page,
            "query": query,
            "show": show,
            "bars": bars,
            "others": others,
            "weights": [
                (CRITERION_LABELS.get(name, name), weight)
                for name, weight in run.settings.get("weights", {}).items()
            ],
        },
    )


@program_manager_of_program
@require_safe
def run_progress(request, program, number: int):
    """The progress fragment, polled by htmx while the run is queued or running; when it is
    done, the page reloads itself (HX-Refresh)."""
    run = _run(program, number)
    response = render(request, "matches/_progress.html", {"program": program, "run": run})
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING) and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@program_manager_of_program
@require_POST
def proposal_action(request, program, number: int, pk: int):
    run = _run(program, number)
    proposal = get_object_or_404(run.proposals, pk=pk)
    form = ProposalActionForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("matches:run", args=[program.slug, run.number])
    if not form.is_valid():
        messages.error(request, "Choose an action.")
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "assign":
            email = form.cleaned_data["mentor"].strip()
            mentor = Participant.objects.filter(
                program=program, role=Role.MENTOR, person__email__iexact=email
            ).first()
            if mentor is None:
                raise MatchError(f"No mentor of this program has the email “{email}”.")
            assign_by_hand(run, proposal, mentor, by=request.user)
            messages.success(request, f"{proposal.mentee.person} now has {mentor.person}.")
        elif action == "unassign":
            assign_by_hand(run, proposal, None, by=request.user)
            messages.success(request, f"{proposal.mentee.person} is left unmatched.")
        else:
            kind = RuleKind.LOCK if action == "lock" else RuleKind.FORBID
            set_rule(run, proposal, kind, by=request.user)
            messages.success(
                request,
                "The pair is locked: every later run keeps it."
                if kind == RuleKind.LOCK
                else "The pair is ruled out: no run will propose it again.",
            )
    except MatchError as error:
        messages.error(request, str(error))
    return redirect(back)


@program_manager_of_program
@require_POST
def rerun_view(request, program, number: int):
    run = _run(program, number)
    try:
        new = rerun(run, by=request.user)
    except MatchError as error:
        messages.error(request, str(error))
        return redirect("matches:run", slug=program.slug, number=run.number)
    messages.success(
        request, f"Run {new.number} has started with the settings of run {run.number}."
    )
    return redirect("matches:run", slug=program.slug, number=new.number)


@program_manager_of_program
@require_POST
def publish(request, program, number: int):
    run = _run(program, number)
    try:
        mentorships = publish_run(run, by=request.user)
    except MatchError as error:
        messages.error(request, str(error))
        return redirect("matches:run", slug=program.slug, number=run.number)
    messages.success(
        request,
        f"Published: {len(mentorships)} mentorships; each pair gets an introduction email.",
    )
    return redirect("matches:run", slug=program.slug, number=run.number)


@program_manager_of_program
@require_safe
def compare(request, program):
    try:
        first = _run(program, int(request.GET.get("a", "0")))
        second = _run(program, int(request.GET.get("b", "0")))
    except ValueError as error:
        raise Http404("Choose two runs.") from error
    try:
        comparison = compare_runs(first, second)
    except MatchError as error:
        raise Http404(str(error)) from error
    return render(
        request,
        "matches/compare.html",
        {"program": program, "comparison": comparison, "rows": comparison.rows[:500]},
    )


@program_manager_of_program
@require_POST
def delete_rule(request, program, pk: int):
    remove_rule(program, pk)
    messages.success(request, "The rule is removed; it applies from the next run.")
    return redirect("matches:runs", slug=program.slug)


@program_manager_of_program
@require_safe
def rematch_queue(request, program):
    """Open rematch requests, oldest first, with the private reason and the pair's history."""
    open_requests = (
        RematchRequest.objects.filter(mentorship__program=program, status=RematchStatus.OPEN)
        .select_related(
            "mentorship__mentor__person", "mentorship__mentee__person", "requested_by__person"
        )
        .order_by("created_at")
    )
    recent = (
        RematchRequest.objects.filter(mentorship__program=program)
        .exclude(status=RematchStatus.OPEN)
        .select_related("mentorship__mentor__person", "mentorship__mentee__person")
        .order_by("-resolved_at")[:20]
    )
    return render(
        request,
        "matches/rematch_queue.html",
        {"program": program, "open_requests": open_requests, "recent": recent},
    )


@program_manager_of_program
@require_POST
def rematch_decide(request, program, pk: int):
    rematch_request = get_object_or_404(RematchRequest, pk=pk, mentorship__program=program)
    rematch = request.POST.get("decision") == "rematch"
    try:
        resolve_rematch(
            rematch_request, by=request.user, rematch=rematch, note=request.POST.get("note", "")
        )
    except MentorshipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "The mentorship has ended; both will be matched again in the next run, never with "
            "each other."
            if rematch
            else "The request is dismissed.",
        )
    return redirect("matches:rematch_queue", slug=program.slug)
