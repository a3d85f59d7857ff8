"""factory_boy factories for the whole suite."""

import datetime

import factory
from factory.django import DjangoModelFactory

from trellis.accounts.models import Role, User
from trellis.enrolment.models import Participant, ParticipantStatus, ProgramInvitation
from trellis.people.models import Department, Language, Location, Person, Skill
from trellis.programs.models import Program, Question, QuestionKind
from trellis.programs.models import Role as ProgramRole


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")
    time_zone = "Europe/London"


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")


class LanguageFactory(DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("name",)

    name = "English"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda p: f"{p.employee_id.lower()}@example.com")
    title = "Software Engineer"
    department = factory.SubFactory(DepartmentFactory)
    location = factory.SubFactory(LocationFactory)
    time_zone = "Europe/London"
    hire_date = datetime.date(2021, 3, 1)
    level = 3


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.PARTICIPANT
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class ParticipantFactory(UserFactory):
    person = factory.SubFactory(PersonFactory)
    email = factory.LazyAttribute(lambda u: u.person.email)


class ProgramManagerFactory(ParticipantFactory):
    role = Role.PROGRAM_MANAGER


class AdminFactory(ParticipantFactory):
    role = Role.ADMIN


class ProgramFactory(DjangoModelFactory):
    """A bare draft cohort program; pass `managed_by=[user, ...]` to name its managers."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    matching_weights = factory.LazyFunction(lambda: {"skills": 1.0})

    @factory.post_generation
    def managed_by(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    program = factory.SubFactory(ProgramFactory)
    kind = QuestionKind.SHORT_TEXT
    label = factory.Sequence(lambda n: f"Question {n}")
    position = factory.Sequence(lambda n: n)


class RegistrationFactory(DjangoModelFactory):
    """A registration row written directly, bypassing the enrolment service."""

    class Meta:
        model = Participant

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(PersonFactory)
    role = ProgramRole.MENTEE
    status = ParticipantStatus.APPROVED
    answers = factory.LazyFunction(dict)


class ProgramInvitationFactory(DjangoModelFactory):
    class Meta:
        model = ProgramInvitation

    program = factory.SubFactory(ProgramFactory)
    person = factory.SubFactory(PersonFactory)
