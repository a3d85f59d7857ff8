import numpy as np
import pytest

from trellis.matching.criteria import (
    NEUTRAL,
    AllowedRows,
    Criterion,
    Profile,
    allowed_pairs,
    department,
    forbidden_pairs,
    goals,
    language,
    preferences,
    score_matrix,
    seniority,
    skills,
    text_similarity,
    tfidf,
    time_zone_overlap,
)


def person(pid, **fields):
    for key in ("languages", "skills_offered", "skills_sought", "goals", "exclude_ids"):
        if key in fields:
            fields[key] = frozenset(fields[key])
    return Profile(pid, **fields)


def test_skills_give_full_partial_and_no_credit():
    mentee = person("a", skills_sought={"Python", "Negotiation"})
    mentors = [
        person("b", skills_offered={"python", "negotiation"}),
        person("c", skills_offered={"SQL", "negotiation"}),
        person("d", skills_offered={"cooking"}),
    ]
    taxonomy = {"python": "programming", "sql": "programming"}
    plain = skills([mentee], mentors)
    assert plain.tolist() == [[1.0, 0.5, 0.0]]
    partial = skills([mentee], mentors, taxonomy=taxonomy, partial=0.5)
    assert partial.tolist() == [[1.0, 0.75, 0.0]]


def test_a_blank_answer_scores_neutral():
    assert skills([person("a")], [person("b", skills_offered={"x"})]).tolist() == [[NEUTRAL]]
    assert language([person("a")], [person("b", languages={"en"})]).tolist() == [[NEUTRAL]]
    assert seniority([person("a")], [person("b", level=3)]).tolist() == [[NEUTRAL]]


def test_goals_are_matched_against_expertise():
    mentee = person("a", goals={"public speaking"})
    mentor = person("b", skills_offered={"Public Speaking"})
    assert goals([mentee], [mentor]).tolist() == [[1.0]]


def test_seniority_gap_range_and_reverse_mentoring():
    mentee = person("a", level=2)
    mentors = [person(str(k), level=level) for k, level in enumerate([1, 2, 3, 6, 7, 9])]
    assert seniority([mentee], mentors, min_gap=1, max_gap=4, slack=2).tolist() == [
        [0.0, 0.5, 1.0, 1.0, 0.5, 0.0]
    ]
    reverse = seniority([person("a", level=6)], [person("b", level=2)], reverse=True)
    assert reverse.tolist() == [[1.0]]


def test_department_preference():
    mentees = [person("a", department="Sales")]
    mentors = [person("b", department="sales "), person("c", department="Data")]
    assert department(mentees, mentors, prefer="same").tolist() == [[1.0, 0.0]]
    assert department(mentees, mentors, prefer="different").tolist() == [[0.0, 1.0]]
    with pytest.raises(ValueError):
        department(mentees, mentors, prefer="either")


def test_time_zone_overlap_of_working_hours():
    london = person("a", utc_offset=0)
    mentors = [
        person("b", utc_offset=1),  # 8 h days, 7 h shared
        person("c", utc_offset=-8),  # 9-17 in UTC-8 is 17-01 UTC: none
        person("d", utc_offset=9.5, working_hours=(22.0, 6.0)),  # night shift across midnight
    ]
    overlap = time_zone_overlap([london], mentors)
    assert overlap[0, 0] == pytest.approx(7 / 8)
    assert overlap[0, 1] == pytest.approx(0.0)
    # 22-06 at +9.5 is 12:30-20:30 UTC: shares 12:30-17:00 with London
    assert overlap[0, 2] == pytest.approx(4.5 / 8)


def test_shared_language():
    mentee = person("a", languages={"English", "Polish"})
    mentors = [person("b", languages={"polish"}), person("c", languages={"French"})]
    assert language([mentee], mentors).tolist() == [[1.0, 0.0]]


def test_tfidf_is_fitted_on_the_programs_own_text():
    matrix, vocabulary = tfidf(["graph databases", "graph theory", "cooking"])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert norms == pytest.approx([1, 1, 1])
    # "graph" is in two of three documents, so it weighs less than the rarer "databases"
    row = matrix[[0]].toarray().ravel()
    assert row[vocabulary["databases"]] > row[vocabulary["graph"]]


def test_text_similarity_ranks_the_closer_text_first():
    mentee = person("a", text="I want to learn negotiation and stakeholder management")
    mentors = [
        person("b", text="Negotiation coach; stakeholder management for product leads"),
        person("c", text="Kubernetes operators and cloud networking"),
    ]
    similarity = text_similarity([mentee], mentors)
    assert 0 < similarity[0, 0] <= 1 and similarity[0, 1] == 0.0


def test_stated_preferences():
    mentee = person(
        "a",
        wanted={"department": frozenset({"data"})},
        not_wanted={"location": frozenset({"Paris"})},
    )
    mentors = [
        person("b", department="Data", location="Berlin"),
        person("c", department="Data", location="paris"),
        person("d", department="Sales", location="Paris"),
    ]
    assert preferences([mentee], mentors).tolist() == [[1.0, 0.5, 0.0]]


def test_weighted_mean_of_the_configured_criteria():
    mentee = person("a", languages={"en"}, department="Sales")
    mentors = [person("b", languages={"en"}, department="Sales")]
    config = [Criterion("language", 3), Criterion("department", 1, {"prefer": "different"})]
    scores, parts = score_matrix([mentee], mentors, config)
    assert set(parts) == {"language", "department"}
    assert scores.tolist() == [[0.75]]


def test_unknown_criterion_and_bad_weight_are_rejected():
    with pytest.raises(ValueError, match="unknown criterion"):
        Criterion("astrology")
    with pytest.raises(ValueError, match="weight"):
        Criterion("skills", -1)


def test_hard_constraints():
    # boss <- manager <- mentee; "peer" excluded by the mentee; "old" is a previous pair
    mentees = [person("mentee", manager_id="manager", exclude_ids={"peer"})]
    mentors = [
        person("mentee"),
        person("manager", manager_id="boss"),
        person("boss"),
        person("peer"),
        person("old"),
        person("full", capacity=0),
        person("fine"),
    ]
    ok = allowed_pairs(mentees, mentors, previous_pairs=[("mentee", "old")])
    assert ok.tolist() == [[False, False, False, False, False, False, True]]


def test_reporting_line_blocks_both_directions():
    mentees = [person("boss")]
    mentors = [person("report", manager_id="mid"), person("mid", manager_id="boss")]
    assert allowed_pairs(mentees, mentors).tolist() == [[False, False]]
    # a mentor's own exclusion list counts too, and a manager cycle does not loop forever
    cyc = {"x": "y", "y": "x"}
    assert allowed_pairs(
        [person("x")], [person("z", exclude_ids={"x"})], managers=cyc
    ).tolist() == [[False]]


def test_forbidden_pairs_are_a_list_and_allowed_rows_a_function():
    mentees = [
        person("mentee", manager_id="manager", exclude_ids={"peer"}),
        person("other"),
    ]
    mentors = [person("manager", manager_id="boss"), person("peer"), person("fine")]
    rows, cols = forbidden_pairs(mentees, mentors)
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 1)]
    allowed = AllowedRows((rows, cols), (2, 3))
    assert allowed(np.array([1, 0])).tolist() == [[True, True, True], [False, False, True]]
    # the same verdicts as the dense mask
    dense = allowed_pairs(mentees, mentors)
    assert (allowed(np.arange(2)) == dense).all()
