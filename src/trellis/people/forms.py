"""Forms of the people app: the directory's search filters and a person's own profile."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Language, Person, Skill, available_time_zones
from .services import update_profile

MAX_ID = 2**63 - 1  # larger ids overflow the database's integer type: treat them as invalid
MAX_SKILL_FILTERS = 20
MAX_FREE_TEXT_NAMES = 30


class IdListField(forms.Field):
    """Repeated GET parameter of positive integer ids (`?skill=3&skill=7`); bad values dropped."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[int]:
        ids: list[int] = []
        for item in value or []:
            text = str(item).strip()
            if text.isdecimal() and 0 < int(text) <= MAX_ID and int(text) not in ids:
                ids.append(int(text))
        return ids[:MAX_SKILL_FILTERS]


class DirectoryFilterForm(forms.Form):
    """The directory's GET filters. Lenient: a malformed filter is ignored, never an error page."""

    q = forms.CharField(required=False, max_length=200)
    department = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    location = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    skill = IdListField(required=False)
    inactive = forms.BooleanField(required=False)

    def criteria(self) -> dict:
        """Keyword arguments for `selectors.search_directory`, from the valid filters only."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "department_id": data.get("department"),
            "location_id": data.get("location"),
            "skill_ids": data.get("skill") or [],
            "include_inactive": bool(data.get("inactive")),
        }


def split_names(value: str) -> list[str]:
    """Names from a free-text list separated by semicolons, blanks dropped."""
    return [name.strip() for name in value.split(";") if name.strip()]


def time_zone_choices() -> list:
    """Every IANA zone grouped by region ("Europe", "America", ...), for a select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(available_time_zones()):
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups.setdefault(region, []).append((name, name))
    return [("", "Same as my location"), *sorted(groups.items())]


class ProfileForm(forms.Form):
    """What a person may change about themselves: skills, languages, bio and time zone.

    Skills and languages are picked from the taxonomy or typed as free text ("PM; Kubernetes");
    typed names resolve through aliases, and unknown ones are added to the taxonomy on save.
    """

    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.only("id", "name"),
        required=False,
        help_text="Hold Ctrl (⌘ on a Mac) to select several.",
    )
    other_skills = forms.CharField(
        required=False,
        max_length=1000,
        label="Other skills",
        help_text=(
            "Not in the list? Type them separated by semicolons, for example "
            "“PM; Kubernetes”. Known names and abbreviations are matched to the list."
        ),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        required=False,
        help_text="Hold Ctrl (⌘ on a Mac) to select several.",
    )
    other_languages = forms.CharField(
        required=False,
        max_length=500,
        label="Other languages",
        help_text="Separated by semicolons, for example “Welsh; Tagalog”.",
    )
    bio = forms.CharField(
        required=False,
        max_length=Person._meta.get_field("bio").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A few lines about your work and what you could help others with.",
    )
    time_zone = forms.ChoiceField(
        required=False,
        choices=time_zone_choices,
        error_messages={
            "invalid_choice": (
                "“%(value)s” is not a known time zone. "
                "Choose one from the list, such as Europe/Paris."
            )
        },
        help_text="Used to show your local time to mentors and mentees.",
    )

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault(
            "initial",
            {
                "skills": list(person.skills.values_list("pk", flat=True)),
                "languages": list(person.languages.values_list("pk", flat=True)),
                "bio": person.bio,
                "time_zone": person.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        if person.location_id and person.location.time_zone:
            self.fields["time_zone"].choices = [
                ("", f"Same as my location ({person.location.time_zone})"),
                *time_zone_choices()[1:],
            ]

    def _clean_names(self, field: str, max_length: int) -> list[str]:
        names = split_names(self.cleaned_data.get(field, ""))
        if len(names) > MAX_FREE_TEXT_NAMES:
            raise ValidationError(f"Enter at most {MAX_FREE_TEXT_NAMES} names.")
        too_long = [name for name in names if len(name) > max_length]
        if too_long:
            raise ValidationError(
                f"“{too_long[0][:40]}…” is too long: a name has at most {max_length} characters."
            )
        return names

    def clean_other_skills(self) -> list[str]:
        return self._clean_names("other_skills", Skill._meta.get_field("name").max_length)

    def clean_other_languages(self) -> list[str]:
        return self._clean_names("other_languages", Language._meta.get_field("name").max_length)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone", "")
        # The choices already come from this set; checked again so the rule lives in one place.
        if value and value not in available_time_zones():
            raise ValidationError(f"“{value}” is not a known time zone.")
        return value

    def save(self) -> Person:
        data = self.cleaned_data
        return update_profile(
            self.person,
            bio=data["bio"],
            time_zone=data["time_zone"],
            skills=data["skills"],
            languages=data["languages"],
            other_skills=data["other_skills"] or [],
            other_languages=data["other_languages"] or [],
        )
