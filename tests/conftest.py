import pytest

from tests.factories import AdminFactory, ParticipantFactory, ProgramManagerFactory


@pytest.fixture
def participant(db):
    return ParticipantFactory()


@pytest.fixture
def program_manager(db):
    return ProgramManagerFactory()


@pytest.fixture
def org_admin(db):
    return AdminFactory()


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def admin_client_(client, org_admin):
    client.force_login(org_admin)
    return client
