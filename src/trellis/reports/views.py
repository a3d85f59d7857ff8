"""Reporting pages: a program's dashboard, outcomes and ROI, the printable summary, exports,
the organisation overview, and the admins' outcomes import."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from trellis.core.permissions import admin_required, role_required
from trellis.programs.models import Program
from trellis.programs.permissions import program_manager_of_program
from trellis.programs.selectors import program_okrs

from .exports import XLSX_TYPE, table_csv, tables_xlsx
from .figures import (
    MIN_GROUP_SIZE,
    Table,
    dashboard_measurements,
    okr_table,
    organisation_overview,
    program_dashboard,
)
from .forms import AssumptionsForm, LeadersForm, OutcomeConfirmForm, OutcomeUploadForm
from .models import OutcomeImport
from .outcomes import (
    InvalidOutcomeRowsError,
    OutcomeFileError,
    OutcomeImportError,
    apply_outcome_import,
    compare_outcomes,
    comparison_table,
    create_outcome_import,
    plan_outcomes,
    report_settings,
    roi_estimate,
)

ERROR_LIMIT = 500


def _reads_reports(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_program_manager  # admins too


reports_required = role_required(_reads_reports)


def _program_report(program: Program, *, outcomes: bool = True) -> dict:
    """The dashboard's figures and OKRs, and (unless not wanted) the outcome comparison."""
    dashboard = program_dashboard(program)
    okrs = program_okrs(program, every_metric=False, known=dashboard_measurements(dashboard))
    context = {
        "program": program,
        "d": dashboard,
        "okrs": okrs,
        "min_group_size": MIN_GROUP_SIZE,
    }
    if outcomes:
        settings = report_settings(program)
        comparison = compare_outcomes(program)
        context.update(
            comparison=comparison, roi=roi_estimate(comparison, settings), settings=settings
        )
    return context


@program_manager_of_program
@require_safe
def dashboard(request, program):
    context = _program_report(program, outcomes=False)
    context["chart_configs"] = {
        f"chart-{key}": chart.config() for key, chart in context["d"].charts.items()
    }
    return render(request, "reports/dashboard.html", context)


@program_manager_of_program
@require_safe
def summary(request, program):
    """The one-page executive summary, laid out for printing (or saving as PDF)."""
    return render(request, "reports/summary.html", _program_report(program))


def _program_tables(program: Program, *, outcomes: bool) -> dict[str, Table]:
    context = _program_report(program, outcomes=outcomes)
    tables = {"okrs": okr_table(context["okrs"]), **context["d"].tables}
    if outcomes and context["comparison"].has_data:
        tables["outcomes"] = comparison_table(context["comparison"])
    return tables


def _download(tables: list[Table], fmt: str, name: str) -> HttpResponse:
    if fmt == "csv" and len(tables) == 1:
        response = HttpResponse(table_csv(tables[0]), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(tables_xlsx(tables), content_type=XLSX_TYPE)
    else:
        raise Http404("No such export.")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@program_manager_of_program
@require_safe
def export(request, program, table: str, fmt: str):
    tables = _program_tables(program, outcomes=table in ("all", "outcomes"))
    if table == "all":
        return _download(list(tables.values()), fmt if fmt == "xlsx" else "", program.slug)
    if table not in tables:
        raise Http404("No such table.")
    return _download([tables[table]], fmt, f"{program.slug}-{slugify(tables[table].title)}")


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def outcomes(request, program):
    settings = report_settings(program)
    assumptions = AssumptionsForm(instance=settings, prefix="roi")
    leaders = LeadersForm(
        initial={
            "emails": ", ".join(p.email for p in settings.leaders.order_by("email"))
            if settings.pk
            else ""
        },
        prefix="leaders",
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assumptions":
            assumptions = AssumptionsForm(request.POST, instance=settings, prefix="roi")
            if assumptions.is_valid():
                assumptions.save()
                messages.success(request, "ROI assumptions saved.")
                return redirect("reports:outcomes", program.slug)
        elif action == "leaders":
            leaders = LeadersForm(request.POST, prefix="leaders")
            if leaders.is_valid():
                if settings.pk is None:
                    settings.save()
                settings.leaders.set(leaders.cleaned_data["emails"])
                count = len(leaders.cleaned_data["emails"])
                messages.success(
                    request, f"{count} leader{'s' if count != 1 else ''} will receive the summary."
                )
                return redirect("reports:outcomes", program.slug)
        else:
            raise Http404("Unknown action.")
        status = 400
    comparison = compare_outcomes(program)
    if assumptions.is_bound:  # a refused form has filled in the instance: show what is saved
        settings = report_settings(program)
    context = {
        "program": program,
        "comparison": comparison,
        "roi": roi_estimate(comparison, settings),
        "settings": settings,
        "assumptions": assumptions,
        "leaders": leaders,
        "min_group_size": MIN_GROUP_SIZE,
    }
    return render(request, "reports/outcomes.html", context, status=status)


def _visible_programs(user):
    programs = Program.objects.order_by("name")
    if not user.is_org_admin:
        programs = programs.filter(managers=user)
    return programs


@reports_required
@require_safe
def overview(request):
    context = organisation_overview(_visible_programs(request.user))
    return render(request, "reports/overview.html", context)


@reports_required
@require_safe
def overview_export(request, fmt: str):
    table = organisation_overview(_visible_programs(request.user))["table"]
    return _download([table], fmt, "programs")


@admin_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_upload(request):
    form = OutcomeUploadForm()
    if request.method == "POST":
        form = OutcomeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome_import = create_outcome_import(
                    file_name=upload.name, data=upload.read(), uploaded_by=request.user
                )
            except OutcomeFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("reports:outcome_preview", token=outcome_import.token)
        return render(request, "reports/outcome_upload.html", {"form": form}, status=400)
    recent = OutcomeImport.objects.defer("content")[:10]
    return render(request, "reports/outcome_upload.html", {"form": form, "recent": recent})


@admin_required
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_preview(request, token):
    outcome_import = get_object_or_404(OutcomeImport, token=token)
    if request.method == "POST":
        form = OutcomeConfirmForm(request.POST)
        skip = form.is_valid() and form.cleaned_data["skip_invalid"]
        try:
            result = apply_outcome_import(outcome_import, skip_invalid=skip)
        except InvalidOutcomeRowsError as exc:
            messages.error(
                request,
                f"{exc} Fix the file and upload it again, or tick “Skip the bad rows” to "
                f"import the other {exc.valid_rows:,}.",
            )
        except OutcomeImportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Outcomes imported: {result.summary_line()}.")
        return redirect("reports:outcome_preview", token=outcome_import.token)
    context = {"outcome_import": outcome_import}
    if outcome_import.is_applied:
        context["summary"] = outcome_import.summary
    else:
        try:
            result, _ = plan_outcomes(outcome_import.content)
        except OutcomeFileError as exc:  # the directory changed since the upload
            messages.error(request, str(exc))
            return redirect("reports:outcome_upload")
        context.update(
            result=result,
            errors=result.errors[:ERROR_LIMIT],
            more_errors=max(0, len(result.errors) - ERROR_LIMIT),
            form=OutcomeConfirmForm(),
        )
    return render(request, "reports/outcome_preview.html", context)
