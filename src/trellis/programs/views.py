"""Program pages: the list, the template library, creating from a template, the landing page,
settings and status, objectives and key results, and saving a program as a template.

Managers' pages load the program through `program_manager_of_program`, which answers 403 to
anyone who does not manage it; drafts are 404 to everyone else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trellis.core.permissions import program_manager_required

from .forms import (
    CreateProgramForm,
    KeyResultForm,
    KeyResultValueForm,
    ObjectiveForm,
    ProgramSettingsForm,
    SaveAsTemplateForm,
)
from .models import KeyResult, Objective, ProgramTemplate, Status
from .permissions import can_manage_program, program_manager_of_program
from .selectors import landing as landing_data
from .selectors import (
    program_lists,
    program_okrs,
    template_entry,
    template_library,
    visible_program,
)
from .services import (
    ProgramError,
    ProgramTransitionError,
    add_key_result,
    add_objective,
    allowed_transitions,
    change_program_status,
    create_program_from_template,
    delete_key_result,
    delete_objective,
    record_key_result_value,
    save_program_as_template,
    suggested_timeline,
    update_key_result,
    update_objective,
    update_program,
)

# What each move does, shown on its button's help line.
TRANSITION_HELP = {
    Status.ENROLLING: "Open the landing page and registration.",
    Status.MATCHING: "Stop taking registrations and match the people who registered.",
    Status.ACTIVE: "Start the program: matches meet and the surveys run.",
    Status.CLOSED: "End the program. A closed program cannot be reopened.",
    Status.DRAFT: "Hide the program again (only while no one has registered).",
}


@login_required
@require_safe
def program_list(request):
    return render(request, "programs/list.html", {"lists": program_lists(request.user)})


@program_manager_required
@require_safe
def template_list(request):
    return render(request, "programs/templates.html", {"entries": template_library()})


@program_manager_required
@require_http_methods(["GET", "HEAD", "POST"])
def create_from_template(request, template_key: str):
    template = get_object_or_404(ProgramTemplate, key=template_key)
    entry = template_entry(template)
    if entry.error:
        messages.error(request, f"This template cannot be used until it is fixed: {entry.error}")
        return redirect("programs:templates")
    if request.method == "POST":
        form = CreateProgramForm(request.POST, definition=entry.definition)
        if form.is_valid():
            try:
                program = create_program_from_template(
                    template,
                    name=form.cleaned_data["name"],
                    created_by=request.user,
                    **form.overrides(),
                )
            except ProgramError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"“{program.name}” was created as a draft. Review its settings, registration "
                    "form and OKRs, then open enrolment.",
                )
                return redirect("programs:settings", slug=program.slug)
    else:
        form = CreateProgramForm(
            definition=entry.definition,
            initial={"name": template.name, **suggested_timeline(entry.definition)},
        )
    return render(request, "programs/create.html", {"entry": entry, "form": form})


@login_required
@require_safe
def landing(request, slug: str):
    program = visible_program(slug, request.user)
    if program is None:
        raise Http404("No such program.")
    return render(
        request, "programs/landing.html", {"landing": landing_data(program, request.user)}
    )


def _transitions(program) -> list[dict]:
    return [
        {"status": status, "label": Status(status).label, "help": TRANSITION_HELP[status]}
        for status in allowed_transitions(program)
    ]


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def program_settings(request, program):
    if request.method == "POST":
        form = ProgramSettingsForm(request.POST, program=program)
        if form.is_valid():
            old_start = program.starts_on
            try:
                program = update_program(program, by=request.user, **form.changes())
            except ProgramError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The settings have been saved.")
                if form.dates_cleared:
                    messages.info(
                        request, "Evergreen programs have no dates, so the dates were cleared."
                    )
                if old_start and program.starts_on and old_start != program.starts_on:
                    messages.info(request, "Key-result deadlines moved with the start date.")
                if not can_manage_program(request.user, program):
                    return redirect("programs:landing", slug=program.slug)
                return redirect("programs:settings", slug=program.slug)
    else:
        form = ProgramSettingsForm(program=program)
    return render(
        request,
        "programs/settings.html",
        {"program": program, "form": form, "transitions": _transitions(program)},
    )


@program_manager_of_program
@require_POST
def change_status(request, program):
    new_status = request.POST.get("status", "")
    try:
        change_program_status(program, new_status, by=request.user)
    except ProgramTransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{program.name}” is now {Status(new_status).label.lower()}.")
    return redirect("programs:settings", slug=program.slug)


# --- Objectives and key results ----------------------------------------------------------------


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdecimal() or len(value) > 18:
        raise Http404("No such item.")
    return int(value)


def _objective(request, program) -> Objective:
    return get_object_or_404(Objective, pk=_posted_id(request, "objective"), program=program)


def _key_result(request, program) -> KeyResult:
    return get_object_or_404(
        KeyResult, pk=_posted_id(request, "key_result"), objective__program=program
    )


def _key_result_values(form: KeyResultForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "metric": data["metric"],
        "target": data["target"],
        "unit": data["unit"],
        "deadline": data["deadline"],
    }


def _okr_action(request, program) -> tuple[str, dict]:
    """Apply one posted OKR change. Returns (success message, {}) or ("", {form key: bound
    form with errors}) so the page shows the form again with what was typed."""
    action = request.POST.get("action", "")
    if action == "add_objective":
        form = ObjectiveForm(request.POST, prefix="objective-new")
        if form.is_valid():
            add_objective(program, title=form.cleaned_data["title"])
            return "The objective has been added.", {}
        return "", {"objective-new": form}
    if action == "edit_objective":
        objective = _objective(request, program)
        form = ObjectiveForm(request.POST, prefix=f"objective-{objective.pk}")
        if form.is_valid():
            update_objective(objective, title=form.cleaned_data["title"])
            return "The objective has been saved.", {}
        return "", {f"objective-{objective.pk}": form}
    if action == "delete_objective":
        delete_objective(_objective(request, program))
        return "The objective and its key results have been deleted.", {}
    if action == "add_key_result":
        objective = _objective(request, program)
        form = KeyResultForm(request.POST, prefix=f"kr-new-{objective.pk}")
        if form.is_valid():
            add_key_result(objective, **_key_result_values(form))
            return "The key result has been added.", {}
        return "", {f"kr-new-{objective.pk}": form}
    if action == "edit_key_result":
        key_result = _key_result(request, program)
        form = KeyResultForm(request.POST, prefix=f"kr-{key_result.pk}")
        if form.is_valid():
            update_key_result(key_result, **_key_result_values(form))
            return "The key result has been saved.", {}
        return "", {f"kr-{key_result.pk}": form}
    if action == "delete_key_result":
        delete_key_result(_key_result(request, program))
        return "The key result has been deleted.", {}
    if action == "record_value":
        key_result = _key_result(request, program)
        form = KeyResultValueForm(request.POST, prefix=f"value-{key_result.pk}")
        if form.is_valid():
            record_key_result_value(key_result, form.cleaned_data["value"], by=request.user)
            return "The value has been recorded.", {}
        return "", {f"value-{key_result.pk}": form}
    raise Http404("Unknown action.")


def _okr_rows(program, bound: dict, editing: str) -> tuple[list[dict], dict]:
    """Each objective with its key results' progress and the forms the page shows for them."""
    okrs = program_okrs(program)
    rows = []
    for item in okrs.objectives:
        objective = item.objective
        key = f"objective-{objective.pk}"
        rows.append(
            {
                "objective": objective,
                "editing": editing == key or key in bound,
                "edit_form": bound.get(key)
                or ObjectiveForm(prefix=key, initial={"title": objective.title}),
                "add_form": bound.get(f"kr-new-{objective.pk}")
                or KeyResultForm(prefix=f"kr-new-{objective.pk}"),
                "add_open": f"kr-new-{objective.pk}" in bound,
                "key_results": [
                    {
                        "progress": progress,
                        "editing": editing == f"kr-{progress.key_result.pk}"
                        or f"kr-{progress.key_result.pk}" in bound,
                        "edit_form": bound.get(f"kr-{progress.key_result.pk}")
                        or KeyResultForm.for_key_result(
                            progress.key_result, prefix=f"kr-{progress.key_result.pk}"
                        ),
                        "value_form": bound.get(f"value-{progress.key_result.pk}")
                        or KeyResultValueForm(prefix=f"value-{progress.key_result.pk}"),
                    }
                    for progress in item.key_results
                ],
            }
        )
    return rows, okrs.metrics


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def okrs(request, program):
    bound: dict = {}
    if request.method == "POST":
        try:
            message, bound = _okr_action(request, program)
        except ProgramError as error:
            messages.error(request, str(error))
            return redirect("programs:okrs", slug=program.slug)
        if not bound:
            messages.success(request, message)
            return redirect("programs:okrs", slug=program.slug)
    rows, metrics = _okr_rows(program, bound, request.GET.get("edit", ""))
    return render(
        request,
        "programs/okrs.html",
        {
            "program": program,
            "rows": rows,
            "metrics": metrics.values(),
            "objective_form": bound.get("objective-new") or ObjectiveForm(prefix="objective-new"),
            "has_errors": bool(bound),
        },
    )


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def save_as_template(request, program):
    if request.method == "POST":
        form = SaveAsTemplateForm(request.POST, program=program)
        if form.is_valid():
            try:
                template = save_program_as_template(
                    program,
                    key=form.cleaned_data["key"],
                    name=form.cleaned_data["name"],
                    by=request.user,
                )
            except ProgramError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"“{template.name}” is now in the template library for every program "
                    "manager to use.",
                )
                return redirect("programs:templates")
    else:
        form = SaveAsTemplateForm(program=program)
    return render(request, "programs/save_as_template.html", {"program": program, "form": form})
