"""ScoreModel (scores as one matrix product) against the dense reference scorers, and the
solver fed from score blocks instead of a whole matrix."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.matching.test_solve import assert_same_objective, examples, objective
from trellis.matching import ScoreModel, assign, solve
from trellis.matching.criteria import Criterion, Profile, criterion_matrices, score_matrix

SKILLS = ["python", "sql", "negotiation", "Public Speaking", "hiring", "budget"]
TAXONOMY = {"python": "programming", "sql": "programming", "hiring": "people"}
WORDS = ["growth", "leadership", "python", "cloud", "the", "data", ""]
EVERY_CRITERION = [
    Criterion("skills", 3, {"taxonomy": TAXONOMY, "partial": 0.4}),
    Criterion("goals", 1, {"taxonomy": TAXONOMY}),
    Criterion("seniority", 1, {"min_gap": 1, "max_gap": 3, "slack": 2}),
    Criterion("department", 2, {"prefer": "same"}),
    Criterion("time_zone", 1),
    Criterion("language", 1),
    Criterion("text", 1),
    Criterion("preferences", 2),
]


@st.composite
def profiles(draw, prefix, count, mentor):
    people = []
    for k in range(count):
        some = st.frozensets(st.sampled_from(SKILLS), max_size=3)
        wanted, not_wanted = {}, {}
        if not mentor:
            if draw(st.booleans()):
                wanted["languages"] = draw(st.frozensets(st.sampled_from(["en", "FR", "de"])))
            if draw(st.booleans()):
                wanted["department"] = frozenset({draw(st.sampled_from(["Data", "sales"]))})
            if draw(st.booleans()):
                not_wanted["id"] = frozenset({f"r{draw(st.integers(0, 3))}"})
        people.append(
            Profile(
                id=f"{prefix}{k}",
                department=draw(st.sampled_from(["Data", "Sales ", "sales", ""])),
                level=draw(st.none() | st.integers(1, 8).map(float)),
                utc_offset=draw(st.none() | st.sampled_from([-8.0, 0.0, 1.0, 5.5])),
                languages=draw(st.frozensets(st.sampled_from(["en", "fr", "De", " "]))),
                skills_offered=draw(some) if mentor else frozenset(),
                skills_sought=frozenset() if mentor else draw(some),
                goals=frozenset() if mentor else draw(some),
                text=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=4))),
                wanted=wanted,
                not_wanted=not_wanted,
            )
        )
    return people


@settings(max_examples=examples(60), deadline=None)
@given(
    mentees=st.integers(1, 7).flatmap(lambda n: profiles("e", n, False)),
    mentors=st.integers(1, 6).flatmap(lambda m: profiles("r", m, True)),
)
def test_score_model_equals_the_dense_scorers(mentees, mentors):
    model = ScoreModel(mentees, mentors, EVERY_CRITERION)
    scores, parts = score_matrix(mentees, mentors, EVERY_CRITERION)
    np.testing.assert_allclose(model.dense(), scores, atol=1e-12)
    rows, cols = np.nonzero(np.ones(scores.shape, dtype=bool))
    values = model.criterion_values(rows, cols)
    # the cells' values combine, with the weights, into the same scores
    weight = sum(c.weight for c in EVERY_CRITERION)
    combined = sum(c.weight * values[c.name] for c in EVERY_CRITERION) / weight
    np.testing.assert_allclose(np.clip(combined, 0, 1), scores[rows, cols], atol=1e-12)
    for name, matrix in criterion_matrices(mentees, mentors, EVERY_CRITERION).items():
        np.testing.assert_allclose(values[name], matrix[rows, cols], atol=1e-12)
        cells = model.parts(rows, cols)[name]
        assert cells[int(rows[-1]), int(cols[-1])] == pytest.approx(
            parts[name][rows[-1], cols[-1]], abs=1e-12
        )


def test_a_wide_vocabulary_stays_sparse_and_float32_stays_close(monkeypatch):
    from trellis.matching import factors

    monkeypatch.setattr(factors, "DENSE_WIDTH_LIMIT", 2)
    rng = np.random.default_rng(4)
    words = [f"w{k}" for k in range(30)]
    mentees = [
        Profile(f"e{k}", text=" ".join(rng.choice(words, 4)), skills_sought=frozenset(["python"]))
        for k in range(20)
    ]
    mentors = [
        Profile(f"r{k}", text=" ".join(rng.choice(words, 4)), skills_offered=frozenset(["sql"]))
        for k in range(9)
    ]
    config = [Criterion("text", 2), Criterion("skills", 1, {"taxonomy": TAXONOMY})]
    model = ScoreModel(mentees, mentors, config)
    assert model.sparse  # the text vocabulary is wider than the limit
    want, _ = score_matrix(mentees, mentors, config)
    np.testing.assert_allclose(model.dense(), want, atol=1e-12)
    single = ScoreModel(mentees, mentors, config, dtype=np.float32)
    assert single.block(np.arange(3)).dtype == np.float32
    np.testing.assert_allclose(single.dense(), want, atol=1e-6)


def test_zero_weights_are_refused():
    with pytest.raises(ValueError, match="must not all be zero"):
        ScoreModel([Profile("a")], [Profile("b")], [Criterion("skills", 0)])


class Blocks:
    """A block source over a dense matrix that counts what it was asked for."""

    def __init__(self, scores):
        self.scores = scores
        self.shape = scores.shape
        self.rows_scored = 0

    def block(self, rows):
        self.rows_scored += len(rows)
        return self.scores[rows].copy()


@pytest.mark.parametrize("fairness", [False, True])
@pytest.mark.parametrize("tight", [False, True])
def test_blocks_and_a_mask_function_give_the_dense_optimum(tight, fairness, monkeypatch):
    monkeypatch.setattr(solve, "INITIAL_CANDIDATES", 3)
    monkeypatch.setattr(solve, "BLOCK_CELLS", 2_000)  # many blocks
    rng = np.random.default_rng(7)
    n, m = 400, 180
    scores = np.round(rng.random((n, m)) * 16) / 16  # ties
    capacity = np.full(m, 2) if tight else rng.integers(0, 4, m)
    allowed = rng.random((n, m)) >= 0.1
    dense = assign(scores, capacity, allowed=allowed, fairness=fairness, method="dense")
    source = Blocks(scores)
    asked = []

    def allowed_rows(rows):
        asked.append(len(rows))
        return allowed[rows]

    got = assign(source, capacity, allowed=allowed_rows, fairness=fairness, method="sparse")
    assert got.method == "sparse" and got.certified
    assert_same_objective(objective(got, fairness), objective(dense, fairness))
    chosen = np.flatnonzero(got.mentor >= 0)
    assert allowed[chosen, got.mentor[chosen]].all()
    assert sum(asked) >= n and source.rows_scored >= n


def test_rows_proven_by_their_bound_are_not_scored_again():
    rng = np.random.default_rng(3)
    n, m = 3_000, 1_500
    source = Blocks(rng.random((n, m)))
    result = assign(source, rng.integers(2, 4, m), method="sparse")
    assert result.certified and result.n_matched == n
    # one pass to find candidates; pricing rescored only the mentees it could not prove
    assert source.rows_scored < 1.2 * n


def test_score_model_feeds_the_solver_with_locked_pairs_and_reasons():
    mentees = [Profile(f"e{k}", skills_sought=frozenset(["python"])) for k in range(5)]
    mentors = [
        Profile("r0", skills_offered=frozenset(["python"]), capacity=2),
        Profile("r1", skills_offered=frozenset(["sql"]), capacity=1),
    ]
    model = ScoreModel(mentees, mentors, [Criterion("skills")])
    capacity = np.array([2, 1])
    allowed = np.ones((5, 2), dtype=bool)
    allowed[4] = False
    result = assign(model, capacity, allowed=allowed, locked=[(3, 1)], method="sparse")
    assert result.mentor[3] == 1 and result.mentor[4] == -1
    assert result.reasons[4] == solve.NO_ALLOWED_MENTOR
    assert result.n_matched == 3
    assert result.total == pytest.approx(2.0)  # two python pairs, the locked sql pair scores 0


@pytest.mark.parametrize("n, m", [(0, 3), (3, 0), (0, 0)])
def test_an_empty_side_scores_an_empty_matrix(n, m):
    mentees = [Profile(f"e{k}", department="Data", text="python") for k in range(n)]
    mentors = [Profile(f"r{k}", department="Sales", text="python") for k in range(m)]
    model = ScoreModel(mentees, mentors, EVERY_CRITERION)
    assert model.dense().shape == (n, m)
    assert score_matrix(mentees, mentors, EVERY_CRITERION)[0].shape == (n, m)
