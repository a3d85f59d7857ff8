"""Profile pages, and editing your own profile (and nobody else's)."""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tests.factories import (
    DepartmentFactory,
    LanguageFactory,
    LocationFactory,
    PersonFactory,
    ProgramManagerFactory,
    SkillFactory,
    UserFactory,
)
from tests.helpers import page_text
from trellis.people.models import Language, Person, Skill, SkillAlias

pytestmark = pytest.mark.django_db

EDIT = reverse("people:profile_edit")


def profile_url(person) -> str:
    return reverse("people:profile", args=[person.pk])


@pytest.fixture
def grace():
    """A person with everything a profile can show."""
    boss = PersonFactory(first_name="Anita", last_name="Borg", title="VP Engineering")
    grace = PersonFactory(
        first_name="Grace",
        last_name="Hopper",
        title="Staff Engineer",
        department=DepartmentFactory(name="Compilers"),
        location=LocationFactory(name="Lisbon", time_zone="Europe/Lisbon"),
        time_zone="",
        hire_date=datetime.date(2019, 6, 3),
        level=7,
        manager=boss,
        bio="I wrote the first compiler.\n\nAsk me about COBOL.",
    )
    grace.skills.set([SkillFactory(name="Compilers"), SkillFactory(name="Mentoring")])
    grace.languages.set([LanguageFactory(name="English"), LanguageFactory(name="Spanish")])
    PersonFactory(first_name="Kathleen", last_name="Booth", manager=grace)
    PersonFactory(first_name="Left", last_name="Already", manager=grace, is_active=False)
    return grace


# --- Reading profiles ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, grace):
    for url in (profile_url(grace), EDIT):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_the_persons_details(participant_client, grace):
    response = participant_client.get(profile_url(grace))
    text = page_text(response)
    assert "Grace Hopper" in text
    assert "Staff Engineer" in text
    assert "Department Compilers" in text
    assert "Location Lisbon" in text
    assert "Time zone Europe/Lisbon (local time" in text  # inherited from the location
    assert "Joined 3 June 2019 (" in text and "years" in text
    assert "Level 7" in text
    assert "Manager Anita Borg" in text
    assert "Compilers" in text and "Mentoring" in text
    assert "English" in text and "Spanish" in text
    assert "Ask me about COBOL." in text
    assert "Direct reports (1) Kathleen Booth" in text
    assert "Left Already" not in text
    html = response.content.decode()
    assert f'href="{profile_url(grace.manager)}"' in html
    assert "Edit my profile" not in text
    assert "style=" not in html


def test_own_profile_has_an_edit_link(participant_client, participant):
    response = participant_client.get(profile_url(participant.person))
    assert f'href="{EDIT}"' in response.content.decode()
    assert "Edit my profile" in page_text(response)


def test_profile_of_unknown_person_is_404(participant_client):
    assert participant_client.get(reverse("people:profile", args=[999999])).status_code == 404


def test_participant_cannot_open_profile_of_someone_who_left(participant_client):
    gone = PersonFactory(is_active=False)
    assert participant_client.get(profile_url(gone)).status_code == 404


def test_program_manager_sees_profile_of_someone_who_left(client):
    gone = PersonFactory(first_name="Alan", is_active=False)
    client.force_login(ProgramManagerFactory())
    response = client.get(profile_url(gone))
    assert response.status_code == 200
    assert "Alan is no longer active" in page_text(response)


def test_profile_query_count_does_not_grow_with_reports_or_skills(
    participant_client, grace, django_assert_max_num_queries
):
    for _ in range(20):
        PersonFactory(manager=grace).skills.set(grace.skills.all())
    # Session, user, person (with department, location, manager), skills, languages, reports.
    with django_assert_max_num_queries(7):
        response = participant_client.get(profile_url(grace))
    assert "Direct reports (21)" in page_text(response)


# --- Editing your own profile -------------------------------------------------------------------


def test_edit_page_shows_current_values_with_labels(participant_client, participant):
    person = participant.person
    python = SkillFactory(name="Python")
    SkillFactory(name="Rust")
    person.skills.set([python])
    person.bio = "Hello there"
    person.save()
    response = participant_client.get(EDIT)
    html = response.content.decode()
    assert f'<option value="{python.pk}" selected>Python</option>' in html
    assert "Rust</option>" in html
    assert "Hello there</textarea>" in html
    for field in ("skills", "other_skills", "languages", "other_languages", "bio", "time_zone"):
        assert f'for="id_{field}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<option value="Europe/London" selected>' in html


def test_saving_own_profile_updates_skills_languages_bio_and_time_zone(
    participant_client, participant
):
    person = participant.person
    python = SkillFactory(name="Python")
    product = SkillFactory(name="Product management")
    SkillAlias.objects.create(skill=product, alias="PM")
    english = LanguageFactory(name="English")

    response = participant_client.post(
        EDIT,
        {
            "skills": [python.pk],
            "other_skills": "pm ; Kubernetes;  ; python",
            "languages": [english.pk],
            "other_languages": "welsh; ENGLISH",
            "bio": "Backend engineer, happy to mentor.",
            "time_zone": "America/New_York",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == profile_url(person)
    assert "Your profile has been saved." in page_text(response)
    person.refresh_from_db()
    assert sorted(s.name for s in person.skills.all()) == [
        "Kubernetes",
        "Product management",  # "pm" resolved through the alias, no new "pm" skill
        "Python",
    ]
    assert not Skill.objects.filter(name__iexact="pm").exists()
    assert Skill.objects.filter(name="Kubernetes").count() == 1  # joined the taxonomy
    assert sorted(lang.name for lang in person.languages.all()) == ["English", "Welsh"]
    assert Language.objects.filter(name="English").count() == 1
    assert person.bio == "Backend engineer, happy to mentor."
    assert person.time_zone == "America/New_York"
    assert "Kubernetes" in page_text(response)
    assert "America/New_York" in page_text(response)


def test_saving_with_nothing_selected_clears_skills_and_languages(participant_client, participant):
    person = participant.person
    person.skills.set([SkillFactory(name="Python")])
    person.languages.set([LanguageFactory(name="French")])
    participant_client.post(EDIT, {"bio": "", "time_zone": ""})
    person.refresh_from_db()
    assert list(person.skills.all()) == []
    assert list(person.languages.all()) == []
    assert person.time_zone == ""  # blank means: use the location's time zone


def test_invalid_time_zone_is_rejected_with_a_message(participant_client, participant):
    person = participant.person
    response = participant_client.post(EDIT, {"bio": "Changed", "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    text = page_text(response)
    assert "“Mars/Olympus_Mons” is not a known time zone" in text
    assert "Your profile was not saved" in text
    assert 'aria-invalid="true"' in response.content.decode()
    person.refresh_from_db()
    assert person.time_zone == "Europe/London"
    assert person.bio == ""


def test_overlong_free_text_skill_is_rejected(participant_client, participant):
    response = participant_client.post(EDIT, {"other_skills": "x" * 101})
    assert "is too long" in page_text(response)
    assert not Skill.objects.filter(name="x" * 101).exists()


def test_there_is_no_url_for_editing_someone_elses_profile(participant):
    other = PersonFactory()
    with pytest.raises(NoReverseMatch):
        reverse("people:profile_edit", args=[other.pk])
    for path in (f"/people/{other.pk}/edit/", f"/people/me/edit/{other.pk}/"):
        with pytest.raises(Resolver404):
            resolve(path)


def test_participant_cannot_edit_another_persons_profile(participant_client, participant):
    other = PersonFactory(first_name="Other", bio="Original bio", time_zone="Asia/Tokyo")
    other.skills.set([SkillFactory(name="Accounting")])
    before = Person.objects.get(pk=other.pk)

    response = participant_client.post(
        EDIT,
        {
            # Everything an attacker might try in order to aim the form at someone else.
            "id": other.pk,
            "pk": other.pk,
            "person": other.pk,
            "person_id": other.pk,
            "email": other.email,
            "first_name": "Hacked",
            "bio": "Injected",
            "time_zone": "Europe/Paris",
            "other_skills": "Lock picking",
        },
    )
    assert response.status_code == 302

    other.refresh_from_db()
    assert other.bio == "Original bio"
    assert other.time_zone == "Asia/Tokyo"
    assert other.first_name == "Other"
    assert other.updated_at == before.updated_at
    assert [s.name for s in other.skills.all()] == ["Accounting"]
    # The request edited the signed-in person, and only the fields a profile form owns.
    mine = Person.objects.get(pk=participant.person.pk)
    assert mine.bio == "Injected"
    assert mine.first_name != "Hacked"
    assert mine.email == participant.person.email

    # And the other person's page offers no edit link to this participant.
    assert "Edit my profile" not in page_text(participant_client.get(profile_url(other)))


def test_account_without_a_person_cannot_edit_a_profile(client):
    user = UserFactory(person=None)
    client.force_login(user)
    response = client.get(EDIT)
    assert response.status_code == 403
    assert "not linked to a person in the directory" in page_text(response)
    assert client.post(EDIT, {"bio": "x"}).status_code == 403


def test_saving_needs_a_csrf_token(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post(EDIT, {"bio": "Forged"})
    assert response.status_code == 403
    participant.person.refresh_from_db()
    assert participant.person.bio == ""


def test_profile_pages_do_not_accept_posts(participant_client, participant):
    assert participant_client.post(profile_url(participant.person)).status_code == 405
    assert participant_client.post(reverse("people:directory")).status_code == 405
