from django import forms
from django.core.validators import validate_email

from trellis.people.models import Person

from .models import ReportSettings


class AssumptionsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = ["currency", "average_salary", "replacement_cost_share", "program_cost"]
        labels = {
            "average_salary": "Average yearly salary",
            "replacement_cost_share": "Replacement cost (share of a year's salary)",
            "program_cost": "Program cost",
        }

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Use a three-letter currency code, such as EUR or USD.")
        return currency


class LeadersForm(forms.Form):
    emails = forms.CharField(
        label="Leaders who receive the monthly summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Work emails from the directory, separated by commas or new lines.",
    )

    def clean_emails(self) -> list[Person]:
        text = self.cleaned_data["emails"]
        emails = [e.strip() for e in text.replace(";", ",").replace("\n", ",").split(",")]
        emails = [e for e in emails if e]
        problems, people = [], []
        found = {p.email.casefold(): p for p in Person.objects.filter(email__in=emails)}
        if len(found) < len(emails):  # case differences: look the rest up one by one
            for email in emails:
                if email.casefold() not in found:
                    person = Person.objects.filter(email__iexact=email).first()
                    if person:
                        found[email.casefold()] = person
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                problems.append(f"{email!r} is not an email address")
                continue
            person = found.get(email.casefold())
            if person is None:
                problems.append(f"no one in the directory has the email {email}")
            elif not person.is_active:
                problems.append(f"{person} has left the directory")
            elif person not in people:
                people.append(person)
        if problems:
            text = "; ".join(problems)
            raise forms.ValidationError(text[:1].upper() + text[1:] + ".")
        return people


class OutcomeUploadForm(forms.Form):
    file = forms.FileField(
        label="Outcomes file (CSV)",
        help_text="Columns: employee_id (or email), kind (promotion, role change or exit), date "
        "(YYYY-MM-DD); optional: new title, new level, note.",
    )


class OutcomeConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(required=False, label="Skip the bad rows")
