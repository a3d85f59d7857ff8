"""`trellis match PEOPLE.csv --out PAIRS.csv`: the spreadsheet command (trellis.matching.io)."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trellis.matching import assign, score_matrix
from trellis.matching.io import default_config, main, read_participants

DATA = Path(__file__).parent / "data"
PEOPLE = DATA / "people.csv"
TEMPLATES = Path(__file__).parents[2] / "src" / "trellis" / "programs" / "template_library"
REPO = Path(__file__).parents[2]


def run(capsys, *args):
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def fixture_people():
    """The fixture as plain dicts: role -> {id: row}, read independently of the command."""
    people = {"mentor": {}, "mentee": {}}
    for row in read_rows(PEOPLE):
        people[row["role"]][row["id"]] = row
    return people


def reporting_line(person, managers):
    """Everyone above `person` by manager_id, following the chain through the file."""
    above, current = set(), managers.get(person)
    while current and current not in above:
        above.add(current)
        current = managers.get(current)
    return above


def test_pairs_respect_every_hard_constraint(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code, _ = run(capsys, PEOPLE, "--out", out)
    assert code == 0
    rows = read_rows(out)
    people = fixture_people()
    managers = {p["id"]: p["manager_id"] for group in people.values() for p in group.values()}
    assert [r["mentee_id"] for r in rows] == list(people["mentee"])  # one row each, file order
    load = {}
    pairs = [(r["mentee_id"], r["mentor_id"]) for r in rows if r["mentor_id"]]
    assert len(pairs) >= 20
    for mentee, mentor in pairs:
        assert mentor in people["mentor"]
        assert mentee != mentor  # E304 is both a mentee and a mentor
        assert mentor not in reporting_line(mentee, managers)
        assert mentee not in reporting_line(mentor, managers)
        assert mentor not in people["mentee"][mentee]["exclude_ids"].split(";")
        assert mentee not in people["mentor"][mentor]["exclude_ids"].split(";")
        load[mentor] = load.get(mentor, 0) + 1
    for mentor, taken in load.items():
        assert taken <= int(people["mentor"][mentor]["capacity"])
    assert "E210" not in load  # capacity 0


def test_the_fixture_traps_are_real_so_the_constraint_test_means_something():
    """Without the hard constraints the optimum pairs people with their own managers."""
    people = read_participants(PEOPLE.read_bytes(), default_config())
    criteria = list(default_config().criteria)
    scores, _ = score_matrix(people.mentees, people.mentors, criteria)
    capacity = np.array([max(p.capacity, 1) for p in people.mentors])
    free = assign(scores, capacity)
    managers = {p.id: p.manager_id for p in [*people.mentees, *people.mentors]}
    forbidden = [
        (people.mentees[i].id, people.mentors[j].id)
        for i, j in free.pairs()
        if people.mentors[j].id in reporting_line(people.mentees[i].id, managers)
        or people.mentees[i].id == people.mentors[j].id
    ]
    assert len(forbidden) >= 3


def test_pairs_have_readable_reasons_and_unmatched_mentees_say_why(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code, err = run(capsys, PEOPLE, "--out", out)
    assert code == 0
    rows = read_rows(out)
    assert list(rows[0]) == ["mentee_id", "mentor_id", "score", "reasons"]
    by_mentee = {r["mentee_id"]: r for r in rows}
    # Aisha wants system design and people management; Rahul offers both.
    assert by_mentee["E301"]["mentor_id"] == "E170"
    assert by_mentee["E301"]["reasons"].startswith(
        "Rahul offers people management and system design, which you asked for"
    )
    matched = [r for r in rows if r["mentor_id"]]
    unmatched = [r for r in rows if not r["mentor_id"]]
    for row in matched:
        assert 0 < float(row["score"]) <= 1
        assert row["reasons"].endswith(".") and len(row["reasons"]) > 20
    # 23 places for 26 mentees: three stay unmatched, each with its reason.
    assert len(unmatched) == 3
    for row in unmatched:
        assert row["score"] == ""
        assert "suitable mentor(s) are full" in row["reasons"]
    scores = [float(r["score"]) for r in matched]
    assert "26 mentees and 15 mentors (23 places)" in err
    assert "matched 23 of 26; 3 unmatched (3 suitable mentors full)" in err
    assert f"score mean {sum(scores) / len(scores):.3f}, minimum {min(scores):.3f}" in err


def test_explain_adds_each_criterions_contribution(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    assert run(capsys, PEOPLE, "--out", out, "--explain")[0] == 0
    rows = read_rows(out)
    names = [c.name for c in default_config().criteria]
    assert list(rows[0]) == [
        "mentee_id",
        "mentor_id",
        "score",
        "reasons",
        *[f"{name}_contribution" for name in names],
    ]
    for row in rows:
        parts = [row[f"{name}_contribution"] for name in names]
        if row["mentor_id"]:
            total = sum(float(p) for p in parts)
            assert total == pytest.approx(float(row["score"]), abs=0.0005 * len(names))
        else:
            assert parts == [""] * len(names)


def test_same_input_gives_byte_identical_output(tmp_path, capsys):
    for flags in ([], ["--explain"]):
        first, second = tmp_path / "first.csv", tmp_path / "second.csv"
        assert run(capsys, PEOPLE, "--out", first, *flags)[0] == 0
        assert run(capsys, PEOPLE, "--out", second, *flags)[0] == 0
        assert first.read_bytes() == second.read_bytes()


def test_every_kind_of_bad_row_is_reported_with_line_and_column(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code, err = run(capsys, DATA / "bad_people.csv", "--out", out)
    assert code == 2
    assert not out.exists()
    assert "12 problems in the file; nothing was written" in err
    expected = [
        "line 3, column role: 'mentr' is not a role",
        "line 4, column level: 'senior' is not a level",
        "line 5, column hire_date: '03/04/2021' is not a date in YYYY-MM-DD form",
        # Line 6 is a quoted value over two lines, so the next row is line 8.
        "line 8, column time_zone: 'Mars/Olympus' is not a known time zone",
        "line 9, column id: duplicate id 'A1': line 5 already has this mentee",
        "line 10, column capacity: 'two' is not a whole number",
        "line 11, column capacity: '-1' is not a whole number",
        "line 12, column exclude_ids: no one in the file has the id 'NOBODY'",
        "line 13, column manager_id: the reporting line loops: M6 → M7 → M6",
        "line 14, column manager_id: the reporting line loops: M7 → M6 → M7",
        "line 15, column hire_date: '2021-02-30' is not a real date",
        "line 16: the row has 12 values but the header has 11 columns",
    ]
    for message in expected:
        assert message in err
    assert err.index("line 3,") < err.index("line 16:")  # in file order


def test_bad_input_leaves_an_existing_output_untouched(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    out.write_text("yesterday's pairs\n")
    assert run(capsys, DATA / "bad_people.csv", "--out", out)[0] == 2
    assert out.read_text() == "yesterday's pairs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pairs.csv"]  # no temporary left over


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("id,name\nA,Ann\n", "Line 1: the file has no role column"),
        ("role,id,dept,department\nmentor,A,x,y\n", "'dept' and 'department' both mean"),
        ("role,id,hire_date,tenure\nmentor,A,,\n", "give hire_date or tenure_years, not both"),
        ("role,id\n", "column names but no people"),
        ("role,id\nmentee,A\nmentee,B\n", "The file has no mentors"),
        ("role,id,email\nmentor,A,a@x.example\nmentee,B,not-an-address\n", "line 3, column email"),
        ("role,id,tenure\nmentor,A,many\nmentee,B,2\n", "line 2, column tenure: 'many'"),
        ("role,id,manager_id\nmentor,A,A\nmentee,B,\n", "loops: A → A"),
        ("role,id\nmentor,\nmentee,B\n", "line 2, column id: the id is required"),
    ],
)
def test_file_problems_exit_2_and_write_nothing(tmp_path, capsys, text, message):
    people, out = tmp_path / "people.csv", tmp_path / "pairs.csv"
    people.write_text(text, encoding="utf-8")
    code, err = run(capsys, people, "--out", out)
    assert code == 2
    assert message in err
    assert not out.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path, capsys):
    people, out = tmp_path / "people.csv", tmp_path / "pairs.csv"
    people.write_bytes("role,id,name\nmentor,A,Zoë\nmentee,B,Bo\n".encode("latin-1"))
    code, err = run(capsys, people, "--out", out)
    assert code == 2
    assert "not UTF-8" in err
    assert not out.exists()


def test_headers_match_aliases_ignoring_case_and_the_delimiter_is_detected(tmp_path, capsys):
    """people_aliases.csv: a BOM, semicolons, 'Employee ID', 'Reports To', 'TZ', 'Tenure' ..."""
    out = tmp_path / "pairs.csv"
    code, err = run(capsys, DATA / "people_aliases.csv", "--out", out)
    assert code == 0
    assert "ignored columns: Favourite Colour" in err
    rows = {r["mentee_id"]: r for r in read_rows(out)}
    # A1 wants python (only M1 offers it); A2 reports to M1 and M2 excludes A2.
    assert rows["A1"]["mentor_id"] == "M1"
    assert "Ines offers python" in rows["A1"]["reasons"]
    assert rows["A2"]["mentor_id"] == ""
    assert rows["A2"]["reasons"].startswith("No mentor is allowed for this person")


def test_config_sets_weights_options_minimum_and_reads_tenure(tmp_path, capsys):
    config, out = tmp_path / "criteria.toml", tmp_path / "pairs.csv"
    config.write_text(
        "mentor_capacity = 1\n"
        '[matching]\nmin_score = 0.7\nfairness = true\nseniority_from = "tenure"\n'
        "reference_date = 2025-09-01\n"
        "[matching.weights]\nskills = 3\nseniority = 1\n"
        "[matching.options.seniority]\nmin_gap = 3.0\nmax_gap = 15.0\n"
    )
    people = tmp_path / "people.csv"
    people.write_text(
        "role,id,name,hire_date,skills_offered,skills_sought,capacity\n"
        "mentor,M1,Ada Byron,2010-01-04,python;sql,,\n"  # blank capacity: mentor_capacity
        "mentor,M2,Bo Chen,2024-06-03,python,,3\n"  # 1 year: too junior by tenure
        "mentee,A1,Cy Dunn,2023-01-09,,python;sql,\n"
        "mentee,A2,Di Eze,2022-01-10,,python,\n"
        "mentee,A3,Ed Fox,2021-01-11,,negotiation,\n"
    )
    code, err = run(capsys, people, "--out", out, "--config", config, "--explain")
    assert code == 0, err
    rows = {r["mentee_id"]: r for r in read_rows(out)}
    assert list(next(iter(rows.values()))) == [
        "mentee_id",
        "mentor_id",
        "score",
        "reasons",
        "skills_contribution",
        "seniority_contribution",
    ]
    # M1 (blank capacity: mentor_capacity 1) fits A1 and A2 perfectly; matching both comes first,
    # so A2 gets M2, whose 1 year of tenure earns no seniority: 3 x 1 (skills) / 4 = 0.75.
    assert (rows["A1"]["mentor_id"], rows["A1"]["score"]) == ("M1", "1.000")
    assert (rows["A2"]["mentor_id"], rows["A2"]["score"]) == ("M2", "0.750")
    assert rows["A2"]["seniority_contribution"] == "0.000"
    assert rows["A3"]["mentor_id"] == ""
    assert "Every allowed mentor scores below the minimum 0.70" in rows["A3"]["reasons"]


def test_a_program_template_works_as_the_config(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    template = TEMPLATES / "career-mentoring.toml"
    code, _ = run(capsys, PEOPLE, "--out", out, "--config", template, "--explain")
    assert code == 0
    header = list(read_rows(out)[0])
    assert header[4:] == [
        f"{name}_contribution"
        for name in (
            "skills",
            "goals",
            "seniority",
            "department",
            "time_zone",
            "language",
            "text",
            "preferences",
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[matching\n", "is not valid TOML"),
        ("title = 'no matching table'\n", "the file needs a [matching] table"),
        ("min_score = 0.5\n[matching]\n", "min_score: belongs in the [matching] table"),
        ("[matching]\nminscore = 0.5\n", "matching.minscore: unknown setting"),
        ("[matching.weights]\nskill = 1\n", "matching.weights.skill: unknown criterion"),
        ("[matching.weights]\nskills = -1\n", "matching.weights.skills: must be a number >= 0"),
        ("[matching.weights]\nskills = 'high'\n", "matching.weights.skills: must be a number"),
        ("[matching.weights]\nskills = 0\n", "give at least one criterion a weight above 0"),
        (
            "[matching.weights]\ndepartment = 1\n[matching.options.department]\nprefer = 'other'\n",
            'matching.options.department.prefer: must be "same" or "different"',
        ),
        (
            "[matching.weights]\nseniority = 1\n[matching.options.seniority]\ngap = 2\n",
            "matching.options.seniority.gap: unknown option",
        ),
        (
            "[matching.weights]\nseniority = 1\n[matching.options.seniority]\nmin_gap = 5.0\n",
            "matching.options.seniority.min_gap: must not exceed max_gap",
        ),
        (
            "[matching.weights]\nskills = 1\n[matching.options.language]\nstrict = true\n",
            "matching.options.language: the language criterion has no weight",
        ),
        ("[matching]\nmin_score = 1.5\n", "matching.min_score: must be a number from 0 to 1"),
        ("[matching]\nfairness = 'yes'\n", "matching.fairness: must be true or false"),
        ("[matching]\nseniority_from = 'age'\n", 'matching.seniority_from: must be "level"'),
        ("[matching]\nreference_date = '2025-09-01'\n", "matching.reference_date: must be"),
        ("mentor_capacity = -2\n[matching]\n", "mentor_capacity: must be a whole number"),
    ],
)
def test_config_problems_exit_2_name_the_key_and_write_nothing(tmp_path, capsys, text, message):
    config, out = tmp_path / "criteria.toml", tmp_path / "pairs.csv"
    config.write_text(text)
    code, err = run(capsys, PEOPLE, "--out", out, "--config", config)
    assert code == 2
    assert message in err
    assert not out.exists()


def test_config_problems_are_reported_together(tmp_path, capsys):
    config = tmp_path / "criteria.toml"
    config.write_text("[matching]\nmin_score = 2\nfairness = 1\n[matching.weights]\nskill = 1\n")
    code, err = run(capsys, PEOPLE, "--out", tmp_path / "pairs.csv", "--config", config)
    assert code == 2
    for key in ("matching.min_score", "matching.fairness", "matching.weights.skill"):
        assert f"{config}: {key}:" in err


def test_missing_config_file_exits_2(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code, err = run(capsys, PEOPLE, "--out", out, "--config", tmp_path / "nope.toml")
    assert code == 2
    assert "Cannot read the configuration" in err
    assert not out.exists()


def test_the_command_needs_no_django_database_or_settings(tmp_path):
    """`python -m trellis match` in a fresh process with no settings: django is never imported.

    One process runs the package's __main__ twice (a good file, then a bad one) and then says
    whether django was imported.
    """
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    wrapper = (
        "import os, runpy, sys\n"
        "for people in sys.argv[1:]:\n"
        "    sys.argv = ['trellis', 'match', people, '--out', people + '.pairs.csv']\n"
        "    try:\n"
        "        runpy.run_module('trellis', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as exit:\n"
        "        print('exit', exit.code)\n"
        "print('django' in sys.modules, 'DJANGO_SETTINGS_MODULE' in os.environ)\n"
    )
    good, bad = tmp_path / "people.csv", tmp_path / "bad.csv"
    good.write_bytes(PEOPLE.read_bytes())
    bad.write_bytes((DATA / "bad_people.csv").read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", wrapper, str(good), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.splitlines() == ["exit 0", "exit 2", "False False"]
    assert "matched 23 of 26" in result.stderr
    assert "line 3, column role" in result.stderr
    assert len(read_rows(tmp_path / "people.csv.pairs.csv")) == 26
    assert not (tmp_path / "bad.csv.pairs.csv").exists()
