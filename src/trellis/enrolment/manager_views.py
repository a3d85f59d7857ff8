"""The program manager's enrolment pages: the roster with filters and bulk actions, one
participant's answers, the CSV export, skills supply and demand, and invitations to register.

Every view is for this program's managers (and organisation admins) only; queries live in
`roster.py`, approvals and declines in `services.py`.
"""

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trellis.programs.permissions import program_manager_of_program

from . import roster
from .roster_forms import BulkAction, BulkActionForm, InviteForm, RosterFilterForm
from .services import approve_participants, decline_participants


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


@program_manager_of_program
@require_safe
def participants(request, program):
    questions = roster.program_questions(program)
    filters = RosterFilterForm(request.GET, questions=questions).filters()
    page = roster.roster_page(program, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "page_obj": page,
        "filters": filters,
        "filter_query": query.urlencode(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "enrolment/participants.html#results", context)
    else:
        context["summary"] = roster.roster_summary(program)
        context["options"] = roster.roster_options(program, questions)
        context["bulk_actions"] = [
            (BulkAction.APPROVE, "Approve"),
            (BulkAction.DECLINE, "Decline"),
        ]
        response = render(request, "enrolment/participants.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _roster_url(program, return_query: str = "") -> str:
    url = reverse("enrolment:participants", args=[program.slug])
    # Rebuilt from parsed pairs: whatever was posted, the redirect stays on this page.
    query = QueryDict(return_query).urlencode()
    return f"{url}?{query}" if query else url


@program_manager_of_program
@require_POST
def bulk_action(request, program):
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        if request.POST.get("action") == BulkAction.REMIND:
            return redirect("enrolment:invite", slug=program.slug)
        return redirect(_roster_url(program, request.POST.get("return_query", "")))
    action = form.cleaned_data["action"]
    ids = form.cleaned_data["ids"]

    if action == BulkAction.REMIND:
        known = roster.invitations_of_program(program, ids)
        if len(known) != len(ids):
            messages.error(
                request,
                "Some selected invitations are not for this program; nothing was sent. "
                "Reload the page and select again.",
            )
        else:
            _remind(request, program, invitation_ids=ids)
        return redirect("enrolment:invite", slug=program.slug)

    selected, foreign = roster.participants_of_program(program, ids)
    back = _roster_url(program, form.cleaned_data.get("return_query") or "")
    if foreign:
        messages.error(
            request,
            f"{_plural(foreign, 'selected person is', 'selected people are')} not in this "
            "program's roster; nothing was changed. Reload the page and select again.",
        )
        return redirect(back)
    if action == BulkAction.APPROVE:
        decision = approve_participants(program, selected, by=request.user)
        parts = [f"{_plural(len(decision.approved), 'participant', 'participants')} approved"]
        if decision.waitlisted:
            parts.append(
                f"{_plural(len(decision.waitlisted), 'mentee', 'mentees')} approved onto the "
                "waitlist (every mentor place is taken)"
            )
    else:
        decision = decline_participants(program, selected, by=request.user)
        parts = [f"{_plural(len(decision.declined), 'participant', 'participants')} declined"]
    message = "; ".join(parts) + "."
    if decision.skipped:
        reason = (
            "already approved, waitlisted, matched or withdrawn"
            if action == BulkAction.APPROVE
            else "already declined, withdrawn or matched"
        )
        message += f" {len(decision.skipped)} left unchanged ({reason})."
    messages.success(request, message)
    return redirect(back)


def _report_reminders(request, batch: roster.ReminderBatch) -> None:
    sent = len(batch.reminded)
    message = f"{_plural(sent, 'reminder', 'reminders')} sent."
    if batch.not_due:
        message += (
            f" {_plural(batch.not_due, 'person was', 'people were')} emailed less than "
            f"{roster.REMINDER_SPACING.days} days ago and will not hear from us again yet."
        )
    messages.success(request, message)


@program_manager_of_program
@require_safe
def participant_detail(request, program, pk: int):
    detail = roster.participant_detail(program, pk)
    if detail is None:
        raise Http404("No such participant in this program.")
    return render(
        request,
        "enrolment/participant_detail.html",
        {
            "program": program,
            "participant": detail.participant,
            "person": detail.participant.person,
            "answers": detail.answers,
            "other_roles": detail.other_roles,
            "invitation": detail.invitation,
        },
    )


@program_manager_of_program
@require_safe
def export_participants(request, program):
    questions = roster.program_questions(program)
    filters = RosterFilterForm(request.GET, questions=questions).filters()
    filename = f"{program.slug}-participants-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # byte order mark: spreadsheets then read names as UTF-8
    writer = csv.writer(response)
    writer.writerows(roster.export_rows(program, filters))
    return response


@program_manager_of_program
@require_safe
def supply_demand(request, program):
    return render(
        request,
        "enrolment/supply_demand.html",
        {"program": program, "balance": roster.supply_and_demand(program)},
    )


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request, program):
    form = InviteForm(program=program)
    if request.method == "POST":
        if request.POST.get("action") == "remind_all":
            _remind(request, program)
            return redirect("enrolment:invite", slug=program.slug)
        form = InviteForm(request.POST, program=program)
        if form.is_valid():
            try:
                batch = roster.invite_to_program(
                    program,
                    form.cleaned_data["people"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                )
            except roster.InvitationError as error:
                form.add_error(None, str(error))
            else:
                _report_invitations(request, batch)
                return redirect("enrolment:invite", slug=program.slug)
    return render(
        request,
        "enrolment/invite.html",
        {
            "program": program,
            "form": form,
            "pending": roster.pending_invitations_page(program, request.GET.get("page")),
            "reminder_days": roster.REMINDER_SPACING.days,
        },
    )


def _remind(request, program, invitation_ids=None) -> None:
    try:
        batch = roster.remind_invited(program, invitation_ids=invitation_ids, by=request.user)
    except roster.InvitationError as error:
        messages.error(request, str(error))
    else:
        _report_reminders(request, batch)


def _report_invitations(request, batch: roster.ProgramInvitationBatch) -> None:
    messages.success(
        request, f"{_plural(len(batch.invited), 'person', 'people')} invited to register."
    )
    skipped = [
        (batch.already_invited, "already invited (use reminders instead)"),
        (batch.already_registered, "already registered"),
        (batch.inactive, "no longer active in the directory"),
    ]
    for people, reason in skipped:
        if people:
            names = ", ".join(person.full_name for person in people[:10])
            more = f" and {len(people) - 10} more" if len(people) > 10 else ""
            messages.info(request, f"Skipped, {reason}: {names}{more}.")
