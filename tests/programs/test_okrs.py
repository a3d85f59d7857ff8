"""Goal and OKRs: objective and key-result services, the named metrics, progress against
targets and deadlines, and the OKR page."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, LocationFactory, PersonFactory
from trellis.enrolment.models import ParticipantStatus
from trellis.programs.metrics import ProgressState, key_result_progress, measure, measure_all
from trellis.programs.models import KeyResult, Metric, Objective, Program
from trellis.programs.services import (
    ProgramError,
    add_key_result,
    add_objective,
    delete_key_result,
    delete_objective,
    record_key_result_value,
    update_key_result,
    update_objective,
)

from .conftest import TODAY, ProgramFactory, RegistrationFactory, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(program_manager):
    """A program created on its start date, TODAY (so progress counts from TODAY)."""
    program = ProgramFactory(managed_by=[program_manager], starts_on=TODAY)
    created = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC)
    Program.objects.filter(pk=program.pk).update(created_at=created)
    program.refresh_from_db()
    return program


@pytest.fixture
def objective(program):
    return add_objective(program, title="Everyone who wants a mentor has one")


# --- Services ----------------------------------------------------------------------------------


def test_objectives_are_added_in_order_edited_and_deleted(program):
    first = add_objective(program, title="  First  ")
    second = add_objective(program, title="Second")
    assert (first.title, first.position, second.position) == ("First", 0, 1)
    update_objective(second, title="Second, sharper")
    add_key_result(second, title="Some", target=1)
    assert [o.title for o in program.objectives.all()] == ["First", "Second, sharper"]
    delete_objective(second)
    assert list(program.objectives.all()) == [first]
    assert not KeyResult.objects.exists()


def test_objective_needs_a_title(program):
    with pytest.raises(ProgramError, match="Give the objective a title"):
        add_objective(program, title=" ")


def test_key_result_on_a_metric_takes_the_metric_unit(objective):
    kr = add_key_result(
        objective, title="Mentees matched", metric=Metric.MATCH_RATE, target=90, unit="people"
    )
    assert (kr.unit, kr.is_automatic, kr.position) == ("%", True, 0)
    rating = add_key_result(
        objective, title="Rating", metric=Metric.AVERAGE_MEETING_RATING, target=3.2
    )
    assert (rating.unit, rating.position) == ("out of 4", 1)


def test_manual_key_result_keeps_its_unit_and_records_values(objective, program_manager):
    kr = add_key_result(objective, title="Talks given", target=12, unit="talks")
    assert not kr.is_automatic
    record_key_result_value(kr, 5, by=program_manager)
    kr.refresh_from_db()
    assert kr.manual_value == 5
    assert kr.manual_updated_at is not None


def test_value_of_a_measured_key_result_cannot_be_set_by_hand(objective, program_manager):
    kr = add_key_result(objective, title="Matched", metric=Metric.MATCH_RATE, target=90)
    with pytest.raises(ProgramError) as raised:
        record_key_result_value(kr, 50, by=program_manager)
    assert str(raised.value) == (
        "“Matched” is measured automatically from match rate; its value cannot be set by hand."
    )


@pytest.mark.parametrize("target", [0, -5, float("nan"), float("inf")])
def test_target_must_be_a_positive_number(objective, target):
    with pytest.raises(ProgramError, match="The target must be a number above 0"):
        add_key_result(objective, title="X", target=target)


def test_turning_a_manual_key_result_into_a_measured_one_drops_its_value(
    objective, program_manager
):
    kr = add_key_result(objective, title="Participation", target=10, unit="%")
    record_key_result_value(kr, 4, by=program_manager)
    update_key_result(
        kr,
        title="Participation",
        metric=Metric.PARTICIPATION,
        target=12,
        deadline=datetime.date(2027, 6, 1),
    )
    kr.refresh_from_db()
    assert (kr.metric, kr.target, kr.manual_value, kr.deadline) == (
        "participation",
        12,
        None,
        datetime.date(2027, 6, 1),
    )
    delete_key_result(kr)
    assert not KeyResult.objects.exists()


# --- Metrics -----------------------------------------------------------------------------------


def test_participation_counts_people_in_scope(program):
    sales, finance = DepartmentFactory(name="Sales"), DepartmentFactory(name="Finance")
    lisbon = LocationFactory(name="Lisbon")
    program.eligible_departments.set([sales])
    in_scope = PersonFactory.create_batch(4, department=sales)
    PersonFactory(department=sales, is_active=False)  # has left: not in scope
    outsider = PersonFactory(department=finance)
    RegistrationFactory(program=program, person=in_scope[0], role="mentee")
    RegistrationFactory(program=program, person=in_scope[0], role="mentor")  # one person
    RegistrationFactory(
        program=program, person=in_scope[1], status=ParticipantStatus.WITHDRAWN
    )  # not taking part
    RegistrationFactory(program=program, person=outsider)  # outside the scope
    result = measure(program, Metric.PARTICIPATION)
    assert (result.value, result.numerator, result.denominator) == (25.0, 1, 4)
    assert result.unit == "%"
    assert result.explanation == "1 of the 4 people in scope take part"

    program.eligible_locations.set([lisbon])
    empty = measure(program, Metric.PARTICIPATION)
    assert empty.value is None and not empty.has_data
    assert "no one in the program's scope" in empty.reason


def test_match_rate_is_matched_over_active_mentees(program):
    for status in ["matched", "matched", "approved", "applied", "waitlisted", "withdrawn"]:
        RegistrationFactory(program=program, status=status)
    RegistrationFactory(program=program, role="mentor", status="matched")
    result = measure(program, Metric.MATCH_RATE)
    assert (result.value, result.numerator, result.denominator) == (40.0, 2, 5)
    assert result.explanation == "2 of 5 active mentees are matched"


def test_match_rate_of_a_peer_program_counts_peers(program_manager):
    peers = ProgramFactory(format="peer")
    RegistrationFactory(program=peers, role="peer", status="matched")
    RegistrationFactory(program=peers, role="peer", status="approved")
    result = measure(peers, Metric.MATCH_RATE)
    assert result.value == 50.0
    assert "active peers" in result.explanation


def test_match_rate_without_mentees_has_no_data(program):
    result = measure(program, Metric.MATCH_RATE)
    assert result.value is None
    assert result.reason == "No active mentees yet: the rate is measured once people register."


def test_retention_counts_people_still_in_the_directory(program):
    stayed = PersonFactory()
    RegistrationFactory(program=program, person=stayed, role="mentor")
    RegistrationFactory(program=program, person=stayed, role="mentee")
    RegistrationFactory(program=program, person=PersonFactory(is_active=False))
    RegistrationFactory(program=program, status="withdrawn")
    RegistrationFactory(program=program, status="declined", person=PersonFactory(is_active=False))
    result = measure(program, Metric.RETENTION_RATE)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == 66.7


def test_retention_counts_an_imported_exit_since_the_start_as_leaving(program):
    from trellis.programs.metrics import progress_start
    from trellis.reports.models import Outcome

    start = progress_start(program)
    left, left_before, stayed = PersonFactory(), PersonFactory(), PersonFactory()
    for someone in (left, left_before, stayed):
        RegistrationFactory(program=program, person=someone)
    # Still active in the directory (not re-imported yet), but HR says they left.
    Outcome.objects.create(person=left, kind="exit", occurred_on=start)
    # An exit before the program began (they came back) does not count.
    Outcome.objects.create(
        person=left_before, kind="exit", occurred_on=start - datetime.timedelta(days=1)
    )
    result = measure(program, Metric.RETENTION_RATE)
    assert (result.numerator, result.denominator) == (2, 3)


@pytest.mark.parametrize(
    ("metric", "reason"),
    [
        (Metric.MEETINGS_PER_PAIR_PER_MONTH, "No pair has been published yet"),
        (Metric.AVERAGE_MEETING_RATING, "No meeting has been rated yet."),
        (Metric.GOAL_COMPLETION, "No mentee has set a goal yet."),
        (Metric.PROMOTION_RATE, "No HR outcomes have been imported yet"),
    ],
)
def test_metrics_without_records_say_so(program, metric, reason):
    RegistrationFactory(program=program, status="matched")
    result = measure(program, metric)
    assert result.value is None and not result.has_data
    assert reason in result.reason


def test_measure_all_measures_each_metric_once(program):
    results = measure_all(program, ["match_rate", "match_rate", "", "participation"])
    assert list(results) == ["match_rate", "participation"]


# --- Progress ----------------------------------------------------------------------------------


def progress(program, objective, *, value, target=100.0, deadline=None, today=TODAY):
    kr = add_key_result(objective, title="KR", target=target, unit="%", deadline=deadline)
    if value is not None:
        kr.manual_value = value
    return key_result_progress(kr, program=program, today=today)


def test_progress_states(program, objective):
    start = program.starts_on
    in_ten_days = start + datetime.timedelta(days=10)
    halfway = start + datetime.timedelta(days=5)
    cases = [
        (dict(value=None, deadline=in_ten_days), ProgressState.NO_DATA),
        (
            dict(value=100, deadline=in_ten_days, today=in_ten_days + datetime.timedelta(1)),
            "achieved",
        ),
        (dict(value=120, deadline=in_ten_days), ProgressState.ACHIEVED),
        (dict(value=60, deadline=in_ten_days, today=halfway), ProgressState.ON_TRACK),
        (dict(value=40, deadline=in_ten_days, today=halfway), ProgressState.BEHIND),
        (dict(value=0, deadline=in_ten_days, today=start), ProgressState.ON_TRACK),
        (dict(value=90, deadline=in_ten_days, today=in_ten_days + datetime.timedelta(1)), "missed"),
        (dict(value=10, deadline=None), ProgressState.NO_DEADLINE),
    ]
    for kwargs, expected in cases:
        assert progress(program, objective, **kwargs).state == expected, kwargs


def test_progress_reports_ratio_and_expected_share(program, objective):
    halfway = program.starts_on + datetime.timedelta(days=5)
    result = progress(
        program,
        objective,
        value=30,
        target=60,
        deadline=program.starts_on + datetime.timedelta(days=10),
        today=halfway,
    )
    assert (result.ratio, result.expected, result.percent) == (0.5, 0.5, 50)
    assert result.state == ProgressState.ON_TRACK
    assert result.state_label == "On track"
    assert progress(program, objective, value=300, target=60).percent == 100


def test_progress_of_a_measured_key_result_uses_the_metric(program, objective):
    for status in ["matched", "approved"]:
        RegistrationFactory(program=program, status=status)
    kr = add_key_result(
        objective,
        title="Matched",
        metric=Metric.MATCH_RATE,
        target=80,
        deadline=program.starts_on + datetime.timedelta(days=10),
    )
    result = key_result_progress(kr, program=program, today=program.starts_on)
    assert result.current == 50.0
    assert result.state == ProgressState.ON_TRACK
    assert result.explanation == "1 of 2 active mentees are matched"

    rating = add_key_result(
        objective, title="Rating", metric=Metric.AVERAGE_MEETING_RATING, target=3
    )
    result = key_result_progress(rating, program=program, today=TODAY)
    assert (result.current, result.state, result.state_label) == (None, "no_data", "No data yet")
    assert "No meeting has been rated yet." in result.reason


def test_a_key_result_due_at_the_start_counts_from_the_enrolment_opening(program, objective):
    Program.objects.filter(pk=program.pk).update(
        enrolment_opens_on=TODAY - datetime.timedelta(days=20)
    )
    program.refresh_from_db()
    result = progress(
        program,
        objective,
        value=10,
        deadline=TODAY,
        today=TODAY - datetime.timedelta(days=10),
    )
    assert result.expected == 0.5
    assert result.state == ProgressState.BEHIND


def test_deadlines_of_a_program_without_start_count_from_its_creation(objective):
    program = ProgramFactory()  # no start date
    objective = add_objective(program, title="Grow")
    created = program.created_at.date()
    result = progress(
        program,
        objective,
        value=10,
        deadline=created + datetime.timedelta(days=10),
        today=created + datetime.timedelta(days=5),
    )
    assert result.expected == 0.5
    assert result.state == ProgressState.BEHIND


# --- The OKR page ------------------------------------------------------------------------------


def okrs_url(program) -> str:
    return reverse("programs:okrs", args=[program.slug])


def test_page_lists_objectives_with_current_values_and_progress(manager_client, make_program):
    program = make_program("career-mentoring")
    for status in ["matched", "matched", "matched", "approved"]:
        RegistrationFactory(program=program, status=status)
    manual = KeyResult.objects.create(
        objective=program.objectives.first(), title="Mentors trained", target=40, unit="people"
    )
    record_key_result_value(manual, 10, by=None)

    response = manager_client.get(okrs_url(program))
    text = page_text(response)
    assert program.north_star in text
    assert "Objective 1: Everyone who registers gets a mentor who fits" in text
    assert "Mentees matched by the start Match rate 75 % 3 of 4 active mentees are matched" in text
    assert "Average meeting rating Average meeting rating No data yet" in text
    assert "Mentors trained By hand" in text
    assert "10 people" in text and "40 people" in text
    html = response.content.decode()
    assert '<meter min="0" max="100" value="83"' in html  # 75 % of a 90 % target
    assert '<meter min="0" max="100" value="25"' in html  # 10 of 40 people
    # The metrics panel says plainly which metrics have no data, and why.
    assert "Retention rate 100 % 4 of the 4 people who took part are still here" in text
    assert "Promotion rate No data yet No HR outcomes have been imported yet" in text


def test_manager_adds_an_objective_and_a_key_result(manager_client, program):
    response = manager_client.post(
        okrs_url(program), {"action": "add_objective", "objective-new-title": "Grow leaders"}
    )
    assert response.status_code == 302
    objective = Objective.objects.get(program=program)
    assert objective.title == "Grow leaders"

    response = manager_client.post(
        okrs_url(program),
        {
            "action": "add_key_result",
            "objective": objective.pk,
            f"kr-new-{objective.pk}-title": "Promoted within a year",
            f"kr-new-{objective.pk}-metric": "promotion_rate",
            f"kr-new-{objective.pk}-target": "20",
            f"kr-new-{objective.pk}-unit": "",
            f"kr-new-{objective.pk}-deadline": "2028-03-01",
        },
        follow=True,
    )
    kr = KeyResult.objects.get(objective=objective)
    assert (kr.title, kr.metric, kr.target, kr.unit, kr.deadline) == (
        "Promoted within a year",
        "promotion_rate",
        20,
        "%",
        datetime.date(2028, 3, 1),
    )
    assert "The key result has been added." in page_text(response)


def test_invalid_key_result_is_shown_again_with_the_error(manager_client, program, objective):
    response = manager_client.post(
        okrs_url(program),
        {
            "action": "add_key_result",
            "objective": objective.pk,
            f"kr-new-{objective.pk}-title": "Talks",
            f"kr-new-{objective.pk}-target": "-3",
        },
    )
    assert response.status_code == 200
    assert "The target must be a number above 0." in page_text(response)
    assert 'value="Talks"' in response.content.decode()
    assert '<details class="add-key-result" open>' in response.content.decode()
    assert not KeyResult.objects.exists()


def test_manager_edits_and_deletes(manager_client, program, objective):
    kr = add_key_result(objective, title="Talks", target=5, unit="talks")
    edit_page = manager_client.get(okrs_url(program), {"edit": f"kr-{kr.pk}"})
    assert f'name="kr-{kr.pk}-title" value="Talks"' in edit_page.content.decode()

    manager_client.post(
        okrs_url(program),
        {
            "action": "edit_key_result",
            "key_result": kr.pk,
            f"kr-{kr.pk}-title": "Talks given",
            f"kr-{kr.pk}-metric": "",
            f"kr-{kr.pk}-target": "8",
            f"kr-{kr.pk}-unit": "talks",
        },
    )
    kr.refresh_from_db()
    assert (kr.title, kr.target) == ("Talks given", 8)

    manager_client.post(
        okrs_url(program),
        {
            "action": "edit_objective",
            "objective": objective.pk,
            f"objective-{objective.pk}-title": "Renamed",
        },
    )
    objective.refresh_from_db()
    assert objective.title == "Renamed"

    manager_client.post(okrs_url(program), {"action": "delete_key_result", "key_result": kr.pk})
    assert not KeyResult.objects.exists()
    manager_client.post(
        okrs_url(program), {"action": "delete_objective", "objective": objective.pk}
    )
    assert not Objective.objects.exists()


def test_manager_records_a_manual_value(manager_client, program, objective):
    kr = add_key_result(objective, title="Talks", target=5, unit="talks")
    response = manager_client.post(
        okrs_url(program),
        {"action": "record_value", "key_result": kr.pk, f"value-{kr.pk}-value": "3"},
        follow=True,
    )
    kr.refresh_from_db()
    assert kr.manual_value == 3
    assert "The value has been recorded." in page_text(response)
    assert "3 talks" in page_text(response)


def test_measured_key_result_value_cannot_be_posted(manager_client, program, objective):
    kr = add_key_result(objective, title="Matched", metric="match_rate", target=90)
    response = manager_client.post(
        okrs_url(program),
        {"action": "record_value", "key_result": kr.pk, f"value-{kr.pk}-value": "99"},
        follow=True,
    )
    assert "its value cannot be set by hand" in page_text(response)
    kr.refresh_from_db()
    assert kr.manual_value is None


def test_objects_of_another_program_are_not_found(manager_client, program, program_manager):
    other = ProgramFactory(managed_by=[program_manager])
    foreign = add_objective(other, title="Theirs")
    foreign_kr = add_key_result(foreign, title="X", target=1)
    for data in (
        {"action": "delete_objective", "objective": foreign.pk},
        {"action": "delete_key_result", "key_result": foreign_kr.pk},
        {"action": "delete_objective", "objective": "abc"},
        {"action": "explode"},
    ):
        assert manager_client.post(okrs_url(program), data).status_code == 404
    assert Objective.objects.filter(pk=foreign.pk).exists()
    assert KeyResult.objects.filter(pk=foreign_kr.pk).exists()


def test_participant_cannot_see_or_change_okrs(participant_client, program, objective):
    assert participant_client.get(okrs_url(program)).status_code == 403
    response = participant_client.post(
        okrs_url(program), {"action": "delete_objective", "objective": objective.pk}
    )
    assert response.status_code == 403
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_manager_of_another_program_cannot_see_okrs(other_manager_client, program, objective):
    assert other_manager_client.get(okrs_url(program)).status_code == 403
    response = other_manager_client.post(
        okrs_url(program), {"action": "add_objective", "objective-new-title": "Mine"}
    )
    assert response.status_code == 403
    assert Objective.objects.count() == 1


def test_okr_page_query_count_does_not_grow_with_key_results(
    manager_client, make_program, django_assert_max_num_queries
):
    program = make_program("career-mentoring")
    RegistrationFactory.create_batch(5, program=program, status="matched")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(okrs_url(program)).status_code == 200
        return len(queries)

    before = count()
    for objective in Program.objects.get(pk=program.pk).objectives.all():
        for n in range(5):
            add_key_result(objective, title=f"Extra {n}", target=1, metric="retention_rate")
    assert count() == before
    with django_assert_max_num_queries(22):
        manager_client.get(okrs_url(program))
