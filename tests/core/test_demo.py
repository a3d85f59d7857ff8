import re
import statistics
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from tests.factories import PersonFactory
from trellis.accounts.models import Role, User
from trellis.core.demo import (
    DEMO_PASSWORD,
    FOUNDED,
    REFERENCE_DATE,
    DemoSeedError,
    seed_demo_organisation,
)
from trellis.people.models import (
    Department,
    Language,
    Location,
    Person,
    Skill,
    available_time_zones,
)
from trellis.people.services import skill_lookup

pytestmark = pytest.mark.django_db

SMALL = 200


def snapshot() -> dict[str, list[tuple]]:
    """Everything the demo writes, keyed by natural keys rather than database ids."""
    people = []
    for person in Person.objects.select_related(
        "department", "location", "manager"
    ).prefetch_related("skills", "languages"):
        people.append(
            (
                person.employee_id,
                person.email,
                person.first_name,
                person.last_name,
                person.title,
                person.department.name,
                person.location.name,
                person.time_zone,
                person.hire_date,
                person.level,
                person.manager.employee_id if person.manager else None,
                person.is_active,
                person.bio,
                tuple(sorted(skill.name for skill in person.skills.all())),
                tuple(sorted(language.name for language in person.languages.all())),
            )
        )
    return {
        "people": sorted(people),
        "departments": sorted(Department.objects.values_list("name")),
        "locations": sorted(Location.objects.values_list("name", "time_zone")),
        "skills": sorted(Skill.objects.values_list("name", "category", "aliases__alias")),
        "languages": sorted(Language.objects.values_list("name")),
        "accounts": sorted(
            User.objects.values_list("email", "role", "person__employee_id", "password")
        ),
    }


def wipe() -> None:
    User.objects.all().delete()
    Person.objects.all().delete()
    for model in (Department, Location, Skill, Language):
        model.objects.all().delete()


def test_the_same_seed_gives_identical_data_and_another_seed_does_not():
    seed_demo_organisation(size=SMALL, seed=7)
    first = snapshot()
    wipe()
    seed_demo_organisation(size=SMALL, seed=7)
    assert snapshot() == first
    wipe()
    seed_demo_organisation(size=SMALL, seed=8)
    other = snapshot()
    assert other["people"] != first["people"]
    assert other["skills"] == first["skills"]  # the taxonomy is fixed; people vary


def test_default_demo_is_a_realistic_organisation():
    seed_demo_organisation()
    people = list(Person.objects.select_related("manager", "department", "location"))
    active = [p for p in people if p.is_active]

    assert len(people) == 1200
    assert len(active) >= 1000
    assert 0.01 <= 1 - len(active) / len(people) <= 0.04  # some former employees
    assert Department.objects.count() >= 8
    assert all(
        Department.objects.filter(name=name, people__isnull=False).exists()
        for name in ("Engineering", "Sales", "People & Talent", "Finance & Legal")
    )
    office_zones = set(Location.objects.values_list("time_zone", flat=True))
    assert Location.objects.count() >= 5 and len(office_zones) >= 5
    assert office_zones | {p.time_zone for p in people} <= available_time_zones()
    assert sum(p.time_zone != p.location.time_zone for p in people) >= 10  # remote people

    # One CEO; everyone else has a manager; the tree is sound and its paths are materialised.
    (ceo,) = [p for p in people if p.manager is None]
    assert ceo.title == "Chief Executive Officer" and ceo.level == 9
    by_pk = {p.pk: p for p in people}
    for person in people:
        if person.manager_id:
            assert person.reporting_path == f"{by_pk[person.manager_id].reporting_path}{person.pk}/"
            assert person.manager.level >= person.level
        assert person.reporting_path.startswith(f"/{ceo.pk}/")
    depth = max(p.reporting_path.count("/") - 1 for p in people)
    assert 5 <= depth <= 7
    spans: dict[int, int] = {}
    for person in people:
        if person.manager_id:
            spans[person.manager_id] = spans.get(person.manager_id, 0) + 1
    assert min(spans.values()) >= 4 and max(spans.values()) <= 9

    # Levels, titles and tenure fit together.
    assert {p.level for p in people} == set(range(1, 10))
    assert all(p.title for p in people)
    managers = set(spans)
    assert all(
        p.level == 5 for p in people if p.title.startswith("Senior ") and p.pk not in managers
    )
    assert all(
        p.level <= 2
        for p in people
        if p.title.startswith(("Junior ", "Associate ")) and p.pk not in managers
    )
    assert all(FOUNDED <= p.hire_date <= REFERENCE_DATE for p in people)
    assert all(p.hire_date.weekday() == 0 for p in people)

    def tenure(levels):
        return statistics.mean(
            (REFERENCE_DATE - p.hire_date).days for p in people if p.level in levels
        )

    assert tenure({1, 2}) < tenure({3, 4}) < tenure({5, 6}) < tenure({7, 8, 9})

    # Unique, plain email addresses; skills and languages for everyone.
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@northwind\.example", p.email) for p in people)
    for person in Person.objects.prefetch_related("skills", "languages"):
        assert 3 <= len(person.skills.all()) <= 8
        assert "English" in {language.name for language in person.languages.all()}
    assert Skill.objects.count() >= 80
    assert Language.objects.filter(people__isnull=False).distinct().count() >= 10
    assert Person.objects.exclude(bio="").count() >= 300
    lookup = skill_lookup()
    assert lookup["k8s"] == Skill.objects.get(name="Kubernetes").pk
    assert lookup["ml"] == Skill.objects.get(name="Machine learning").pk
    assert lookup["pm"] == Skill.objects.get(name="Product management").pk


def sign_in(client, email: str, password: str) -> bool:
    # Axes guards authentication and needs the request the credentials came with.
    request = RequestFactory().post("/accounts/login/")
    return client.login(request=request, username=email, password=password)


def test_demo_accounts_sign_in_with_the_shared_password(client):
    credentials = seed_demo_organisation(size=SMALL)
    assert credentials.password == DEMO_PASSWORD
    expected = {
        credentials.admin_email: Role.ADMIN,
        credentials.program_manager_email: Role.PROGRAM_MANAGER,
        credentials.participant_email: Role.PARTICIPANT,
    }
    for email, role in expected.items():
        user = User.objects.select_related("person").get(email=email)
        assert user.role == role
        assert user.person.email == email and user.person.is_active
        assert sign_in(client, email, DEMO_PASSWORD)
        client.logout()
    assert not sign_in(client, credentials.participant_email, "not-the-password")

    admin = User.objects.get(email=credentials.admin_email).person
    assert admin.department.name == "People & Talent"
    program_manager = User.objects.get(email=credentials.program_manager_email).person
    assert program_manager.title == "Mentoring Program Manager"
    participant = User.objects.get(email=credentials.participant_email).person
    assert participant.department.name == "Engineering" and participant.level in (3, 4)
    assert 50 <= User.objects.count() <= 60
    assert not User.objects.filter(person__is_active=False).exists()


def test_seeding_again_changes_nothing(django_assert_max_num_queries):
    credentials = seed_demo_organisation(size=SMALL)
    before = snapshot()
    with django_assert_max_num_queries(3):  # a savepoint around one look-up
        assert seed_demo_organisation(size=SMALL) == credentials
    assert snapshot() == before


def test_seeding_refuses_a_directory_that_is_not_the_demo():
    PersonFactory()
    with pytest.raises(DemoSeedError, match="not the demo organisation"):
        seed_demo_organisation(size=SMALL)
    assert Person.objects.count() == 1
    assert not User.objects.exists()


def test_seed_demo_command_prints_the_sign_in(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", size=SMALL, seed=3, stdout=out)
    printed = out.getvalue()
    assert "Seeded the demo organisation (200 people, seed 3)" in printed
    assert "morgan.ellis@northwind.example" in printed
    assert "amara.okafor@northwind.example" in printed
    assert "daniel.kim@northwind.example" in printed
    assert DEMO_PASSWORD in printed
    assert Person.objects.count() == SMALL

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already there" in out.getvalue()
    assert Person.objects.count() == SMALL


@pytest.mark.parametrize("command", ["seed_demo", "demo"])
def test_demo_commands_refuse_to_run_without_debug(settings, command):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1") as raised:
        call_command(command)
    assert raised.value.returncode == 2
    assert not Person.objects.exists()
