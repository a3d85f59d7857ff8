"""The admin's directory import: upload an HRIS file, preview what it would change, confirm."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from trellis.core.permissions import admin_required

from .import_forms import ImportConfirmForm, ImportUploadForm
from .importing import (
    ImportAlreadyAppliedError,
    ImportFileError,
    InvalidRowsError,
    SelfDeactivationError,
    apply_directory_import,
    create_directory_import,
    deactivates_user,
    preview_directory_import,
)
from .models import DirectoryImport

# Longer lists are cut with "and N more": the command line prints them all.
LIST_LIMIT = 50
ERROR_LIMIT = 500


@admin_required
def import_upload(request):
    if request.method != "POST":
        return render(request, "people/import_upload.html", {"form": ImportUploadForm()})
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            directory_import = create_directory_import(
                file_name=upload.name,
                data=upload.read(),
                uploaded_by=request.user,
                deactivate_missing=form.cleaned_data["deactivate_missing"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("people:import_preview", token=directory_import.token)
    return render(request, "people/import_upload.html", {"form": form}, status=400)


@admin_required
def import_preview(request, token):
    directory_import = get_object_or_404(DirectoryImport, token=token)
    if request.method == "POST":
        form = ImportConfirmForm(request.POST)
        skip_invalid = form.is_valid() and form.cleaned_data["skip_invalid"]
        try:
            result = apply_directory_import(
                directory_import, applied_by=request.user, skip_invalid=skip_invalid
            )
        except InvalidRowsError as exc:
            messages.error(
                request,
                f"{exc} Fix the file and upload it again, or tick “Skip the bad rows” to "
                f"import the other {exc.valid_rows:,}.",
            )
        except (ImportAlreadyAppliedError, SelfDeactivationError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Directory imported: {result.summary_line()}.")
        return redirect("people:import_preview", token=directory_import.token)

    context = {"directory_import": directory_import}
    if directory_import.is_applied:
        context["summary"] = directory_import.summary
    else:
        result = preview_directory_import(directory_import)
        context.update(
            result=result,
            counts=result.counts(),
            errors=result.errors[:ERROR_LIMIT],
            more_errors=max(0, len(result.errors) - ERROR_LIMIT),
            form=ImportConfirmForm(),
            deactivates_you=deactivates_user(result, request.user),
        )
        for name in ("created", "updated", "deactivated"):
            changes = getattr(result, name)
            context[name] = changes[:LIST_LIMIT]
            context[f"more_{name}"] = max(0, len(changes) - LIST_LIMIT)
    return render(request, "people/import_preview.html", context)
