"""Writes to the people directory: reporting-line maintenance and taxonomy resolution."""

from collections.abc import Iterable

from django.db import connections, router, transaction

from .models import Language, Person, Skill, SkillAlias, normalise_name


class ManagerCycleError(ValueError):
    """The manager links form a loop, so nobody in it has a reporting line to the top."""


def compute_reporting_paths(managers: dict[int, int | None]) -> dict[int, str]:
    """Materialised reporting paths for every person, given `person id -> manager id`.

    Iterative, so a 100,000-person directory of any depth is handled without recursion limits.
    Raises ManagerCycleError naming the people on a cycle.
    """
    paths: dict[int, str] = {}
    for start in managers:
        if start in paths:
            continue
        chain: list[int] = []
        on_chain: set[int] = set()
        node: int | None = start
        while node is not None and node not in paths:
            if node in on_chain:
                cycle = chain[chain.index(node) :]
                raise ManagerCycleError(cycle)
            chain.append(node)
            on_chain.add(node)
            manager = managers.get(node)
            node = manager if manager in managers else None
        prefix = paths[node] if node is not None else "/"
        for member in reversed(chain):
            prefix = f"{prefix}{member}/"
            paths[member] = prefix
    return paths


@transaction.atomic
def rebuild_reporting_paths() -> int:
    """Recompute every person's reporting path; return how many changed."""
    rows = list(Person.objects.values_list("pk", "manager_id", "reporting_path"))
    paths = compute_reporting_paths({pk: manager_id for pk, manager_id, _ in rows})
    changed = [(pk, paths[pk]) for pk, _, old in rows if paths[pk] != old]
    update_people_fields(["reporting_path"], changed)
    return len(changed)


# Django's bulk_update writes one CASE WHEN per field per row: at 10,000 people that is seconds.
# SQLite runs a prepared statement many times in-process in milliseconds; PostgreSQL would pay a
# round trip per row, so there one statement reads every row from arrays with unnest().
def update_people_fields(fields: list[str], rows: list[tuple]) -> None:
    """UPDATE `fields` of people: each row is (primary key, one value per field, in order)."""
    if not rows:
        return
    connection = connections[router.db_for_write(Person)]
    quote = connection.ops.quote_name
    meta = Person._meta
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    model_fields = [meta.get_field(name) for name in fields]
    prepared = [
        [pk_value]
        + [
            f.get_db_prep_save(value, connection)
            for f, value in zip(model_fields, values, strict=True)
        ]
        for pk_value, *values in rows
    ]
    # Identifiers and types come from the model's metadata; every value is a bound parameter.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [meta.pk, *model_fields])
            names = ", ".join(f"v{i}" for i in range(len(model_fields) + 1))
            assignments = ", ".join(
                f"{quote(f.column)} = data.v{i + 1}" for i, f in enumerate(model_fields)
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS data({names}) "  # noqa: S608
                f"WHERE {table}.{pk} = data.v0",
                [list(column) for column in zip(*prepared, strict=True)],
            )
        else:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                [values[1:] + values[:1] for values in prepared],
            )


def skill_lookup() -> dict[str, int]:
    """Normalised skill name or alias -> skill id, for resolving free-text skill lists."""
    lookup = dict(SkillAlias.objects.values_list("normalised_alias", "skill_id"))
    lookup.update(Skill.objects.values_list("normalised_name", "pk"))
    return lookup


def resolve_skills(names: Iterable[str], *, create: bool = True) -> list[Skill]:
    """Skills for the given names, resolving aliases; unknown names become new skills."""
    lookup = skill_lookup()
    ids: list[int] = []
    for name in names:
        key = normalise_name(name)
        if not key:
            continue
        if key not in lookup:
            if not create:
                continue
            # get_or_create: two people adding the same new skill at once get one skill.
            skill, _ = Skill.objects.get_or_create(
                normalised_name=key, defaults={"name": name.strip()}
            )
            lookup[key] = skill.pk
        if lookup[key] not in ids:
            ids.append(lookup[key])
    by_id = Skill.objects.in_bulk(ids)
    return [by_id[i] for i in ids]


def resolve_languages(names: Iterable[str]) -> list[Language]:
    result: list[Language] = []
    for name in names:
        key = normalise_name(name)
        if not key:
            continue
        language, _ = Language.objects.get_or_create(
            normalised_name=key, defaults={"name": name.strip().title()}
        )
        if language not in result:
            result.append(language)
    return result


@transaction.atomic
def update_profile(
    person: Person,
    *,
    bio: str,
    time_zone: str,
    skills: Iterable[Skill],
    languages: Iterable[Language],
    other_skills: Iterable[str] = (),
    other_languages: Iterable[str] = (),
) -> Person:
    """A person's own edit of their profile; typed skills resolve through aliases or join the
    taxonomy."""
    # dict.fromkeys: ordered de-duplication (a typed alias may name a ticked skill).
    all_skills = dict.fromkeys([*skills, *resolve_skills(other_skills)])
    all_languages = dict.fromkeys([*languages, *resolve_languages(other_languages)])
    person.bio = bio
    person.time_zone = time_zone
    person.save(update_fields=["bio", "time_zone", "updated_at"])
    person.skills.set(all_skills)
    person.languages.set(all_languages)
    return person
