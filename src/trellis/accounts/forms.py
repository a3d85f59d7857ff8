"""Sign-in, password and invitation forms."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models.functions import Lower
from django.urls import reverse

from trellis.notifications.services import send_templated_email
from trellis.people.models import Department, Person

from .models import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset flow, with the email rendered from our templates and sent by the worker."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        reset_url = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm", args=[context["uid"], context["token"]]
        )
        send_templated_email(
            "password_reset",
            to_email,
            {"first_name": context["user"].get_short_name(), "reset_url": reset_url},
        )


class InvitePeopleForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        required=False,
        empty_label="— no department —",
        help_text="Invite everyone in this department who has no account yet.",
    )
    identifiers = forms.CharField(
        label="People",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Emails or employee ids, separated by commas, semicolons or new lines.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PARTICIPANT)

    def clean(self):
        cleaned = super().clean()
        raw = cleaned.get("identifiers") or ""
        tokens = [t.strip() for t in raw.replace(";", ",").replace("\n", ",").split(",")]
        tokens = [t for t in tokens if t]
        department = cleaned.get("department")
        if not tokens and department is None:
            raise forms.ValidationError("Choose a department or list at least one person.")
        people: list[Person] = []
        if tokens:
            lowered = [t.lower() for t in tokens]
            found = {}
            by_email = Person.objects.annotate(lowered=Lower("email")).filter(lowered__in=lowered)
            for person in by_email:
                found[person.email.lower()] = person
            for person in Person.objects.filter(employee_id__in=tokens):
                found[person.employee_id] = person
            unknown = [t for t in tokens if t not in found and t.lower() not in found]
            if unknown:
                self.add_error(
                    "identifiers",
                    "Not in the directory: "
                    + ", ".join(unknown[:20])
                    + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""),
                )
            people.extend(found.get(t) or found[t.lower()] for t in tokens if t not in unknown)
        if department is not None:
            people.extend(Person.objects.active().filter(department=department))
        unique = list({p.pk: p for p in people}.values())
        cleaned["people"] = unique
        return cleaned


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repeat the password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, person=None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                from .models import User

                candidate = User(email=self.person.email) if self.person else None
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
