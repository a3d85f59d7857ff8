import numpy as np
import pytest

from trellis.matching import (
    Criterion,
    Profile,
    assign,
    explain_pair,
    explain_unmatched,
    score_matrix,
)


def test_contributions_sum_to_the_score_and_the_sentence_names_the_top_reasons():
    mentee = Profile(
        "a",
        department="Sales",
        utc_offset=0,
        level=2,
        skills_sought=frozenset({"negotiation", "stakeholder management"}),
    )
    mentor = Profile(
        "b",
        name="Dana Smith",
        department="Data Platform",
        utc_offset=0,
        level=4,
        skills_offered=frozenset({"negotiation", "stakeholder management", "sql"}),
    )
    config = [
        Criterion("skills", 2),
        Criterion("time_zone", 1),
        Criterion("seniority", 1),
        Criterion("language", 1),
    ]
    scores, parts = score_matrix([mentee], [mentor], config)
    explanation = explain_pair(mentee, mentor, parts, config, 0, 0)
    assert sum(explanation.contributions.values()) == pytest.approx(scores[0, 0])
    assert explanation.score == pytest.approx(scores[0, 0])
    assert explanation.sentence.startswith(
        "Dana offers negotiation and stakeholder management, which you asked for"
    )
    assert "working hours fully overlap" in explanation.sentence
    assert "speak" not in explanation.sentence  # blank languages are not a reason


def test_unmatched_sentences_are_specific():
    scores = np.array([[0.2, 0.3], [0.9, 0.9], [0.9, 0.9]])
    capacity = np.array([1, 1])
    allowed = np.array([[True, True], [True, True], [False, False]])
    result = assign(scores, capacity, allowed=allowed, min_score=0.5)
    sentence = explain_unmatched(
        result.reasons[0], 0, scores, capacity, allowed=allowed, min_score=0.5
    )
    assert sentence == "Every allowed mentor scores below the minimum 0.50 (best 0.30)."
    assert "No mentor is allowed" in explain_unmatched(
        result.reasons[2], 2, scores, capacity, allowed=allowed
    )


def test_sentence_keeps_the_spelling_of_names_and_separates_reasons_with_semicolons():
    mentee = Profile(
        "a",
        utc_offset=0,
        skills_sought=frozenset({"sql", "negotiation"}),
        languages=frozenset({"english", "german"}),
    )
    mentor = Profile(
        "b",
        name="Dana Smith",
        utc_offset=0,
        skills_offered=frozenset({"SQL", "Negotiation"}),
        languages=frozenset({"English", "German"}),
    )
    config = [Criterion("skills", 3), Criterion("language", 2), Criterion("time_zone", 1)]
    _, parts = score_matrix([mentee], [mentor], config)
    sentence = explain_pair(mentee, mentor, parts, config, 0, 0).sentence
    assert sentence == (
        "Dana offers Negotiation and SQL, which you asked for; you both speak English and "
        "German; your working hours fully overlap."
    )
