"""Forms for the directory import pages: the upload and the confirmation."""

from django import forms

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="HRIS export (CSV)",
        help_text="UTF-8 CSV with a header row; comma, semicolon or tab separated. "
        "Required columns: employee_id, email, first_name, last_name.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
    )
    deactivate_missing = forms.BooleanField(
        required=False,
        initial=True,
        label="Deactivate people missing from the file",
        help_text="Keep this ticked for a full export. Untick it for a partial file, such as "
        "one department or this month's new hires. People are never deleted.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.0f} MB; the limit is "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        return upload


class ImportConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip the bad rows and import the rest",
        help_text="The bad rows listed above are left out; the people on them are not changed "
        "and not deactivated.",
    )
