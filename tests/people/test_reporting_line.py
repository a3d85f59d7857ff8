import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import PersonFactory
from trellis.people.models import Person, is_in_reporting_line
from trellis.people.selectors import in_reporting_line, reporting_line
from trellis.people.services import (
    ManagerCycleError,
    compute_reporting_paths,
    rebuild_reporting_paths,
)


def _chain_up(managers: dict[int, int | None], node: int) -> set[int]:
    seen: set[int] = set()
    node = managers.get(node)
    while node is not None:
        seen.add(node)
        node = managers.get(node)
    return seen


@st.composite
def forests(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    # Managers always come earlier in the numbering, so the graph is a forest (no cycles).
    managers: dict[int, int | None] = {1: None}
    for node in range(2, size + 1):
        managers[node] = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=node - 1)))
    return managers


@given(forests())
@settings(max_examples=200)
def test_paths_agree_with_walking_the_tree(managers):
    paths = compute_reporting_paths(managers)
    for a in managers:
        for b in managers:
            expected = a != b and (a in _chain_up(managers, b) or b in _chain_up(managers, a))
            assert is_in_reporting_line(paths[a], paths[b]) == expected


def test_cycle_is_reported_with_its_members():
    with pytest.raises(ManagerCycleError) as error:
        compute_reporting_paths({1: 2, 2: 3, 3: 1, 4: None})
    assert sorted(error.value.args[0]) == [1, 2, 3]


@pytest.mark.django_db
def test_reporting_line_in_both_directions_and_not_for_peers():
    ceo = PersonFactory()
    vp = PersonFactory(manager=ceo)
    engineer = PersonFactory(manager=vp)
    peer = PersonFactory(manager=ceo)
    rebuild_reporting_paths()
    ceo, vp, engineer, peer = (Person.objects.get(pk=p.pk) for p in (ceo, vp, engineer, peer))
    assert in_reporting_line(engineer, ceo)
    assert in_reporting_line(ceo, engineer)
    assert in_reporting_line(vp, engineer)
    assert not in_reporting_line(engineer, peer)
    assert not in_reporting_line(vp, peer)
    assert not in_reporting_line(engineer, engineer)
    assert set(reporting_line(vp)) == {ceo, engineer}
    assert set(reporting_line(ceo)) == {vp, engineer, peer}


@pytest.mark.django_db
def test_rebuild_follows_a_manager_change():
    a, b = PersonFactory(), PersonFactory()
    c = PersonFactory(manager=a)
    rebuild_reporting_paths()
    c.manager = b
    c.save()
    assert rebuild_reporting_paths() == 1
    c.refresh_from_db()
    b.refresh_from_db()
    a.refresh_from_db()
    assert in_reporting_line(c, b)
    assert not in_reporting_line(c, a)
