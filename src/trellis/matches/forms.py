"""Forms of the matching pages: a run's settings, and changing a proposal by hand."""

from django import forms

from trellis.matching.criteria import CRITERIA

CRITERION_LABELS = {
    "skills": "Skills sought ↔ offered",
    "goals": "Goals ↔ expertise",
    "seniority": "Seniority gap",
    "department": "Department",
    "time_zone": "Time-zone overlap",
    "language": "Shared language",
    "text": "Free-text similarity",
    "preferences": "Stated preferences",
}


class RunSettingsForm(forms.Form):
    min_score = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Minimum score",
        help_text="Optional, 0 to 1: pairs scoring less are never proposed.",
    )
    fairness = forms.BooleanField(
        required=False,
        label="Fairness first",
        help_text="After matching the most mentees, raise the weakest pair before the total.",
    )

    def __init__(self, *args, initial_settings: dict, **kwargs):
        weights = initial_settings.get("weights", {})
        kwargs.setdefault(
            "initial",
            {
                **{f"weight_{name}": weights.get(name, 0) for name in CRITERIA},
                "min_score": initial_settings.get("min_score"),
                "fairness": initial_settings.get("fairness", False),
            },
        )
        super().__init__(*args, **kwargs)
        self.options = initial_settings.get("options", {})
        for name in CRITERIA:
            self.fields[f"weight_{name}"] = forms.FloatField(
                min_value=0, max_value=10, label=CRITERION_LABELS.get(name, name), required=True
            )
        self.order_fields([f"weight_{name}" for name in CRITERIA] + ["min_score", "fairness"])

    def weight_fields(self):
        return [self[f"weight_{name}"] for name in CRITERIA]

    def clean(self):
        data = super().clean()
        if all(not data.get(f"weight_{name}") for name in CRITERIA):
            raise forms.ValidationError("Give at least one criterion a weight above 0.")
        return data

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "weights": {
                name: data[f"weight_{name}"] for name in CRITERIA if data[f"weight_{name}"]
            },
            "options": self.options,
            "min_score": data.get("min_score"),
            "fairness": data.get("fairness", False),
        }


class ProposalActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("assign", "Assign this mentor"),
            ("unassign", "Leave unmatched"),
            ("lock", "Lock"),
            ("forbid", "Rule out"),
        ]
    )
    mentor = forms.CharField(required=False, max_length=254, label="Mentor's email")
