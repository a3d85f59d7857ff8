"""Match runs: start one in the background, review and adjust its proposals, compare two runs,
and publish one as mentorships. Every write here is atomic and checks the run's state."""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.matching import ScoreModel, assign, peer_pairs
from trellis.matching.explain import explain_pair, explain_unmatched
from trellis.mentorships.models import RUNNING, Mentorship, MentorshipStatus
from trellis.notifications.services import send_templated_email
from trellis.programs.models import Format, MatchingMode, Program, Role
from trellis.programs.models import Status as ProgramStatus
from trellis.programs.services import ProgramError, check_matching_settings

from .inputs import MatchInputs, load_inputs, load_peer_inputs
from .models import MatchRun, PairRule, Proposal, ProposalSource, RuleKind, RunStatus

HISTOGRAM_BINS = 10


class MatchError(Exception):
    """A match-run action that cannot be done, with the reason in words."""


def _check_settings(weights: dict, options: dict, min_score, fairness) -> dict:
    try:
        check_matching_settings(weights, options)
    except ProgramError as error:
        raise MatchError(str(error)) from error
    if not any(float(w) > 0 for w in weights.values()):
        raise MatchError("Give at least one criterion a weight above 0.")
    if min_score is not None and not 0 <= float(min_score) <= 1:
        raise MatchError("The minimum score must be between 0 and 1.")
    return {
        "weights": {k: float(v) for k, v in weights.items()},
        "options": options,
        "min_score": None if min_score is None else float(min_score),
        "fairness": bool(fairness),
    }


def default_settings(program: Program) -> dict:
    return {
        "weights": dict(program.matching_weights or {}),
        "options": dict(program.matching_options or {}),
        "min_score": None,
        "fairness": False,
    }


def start_run(
    program: Program,
    *,
    by,
    weights: dict | None = None,
    options: dict | None = None,
    min_score: float | None = None,
    fairness: bool = False,
) -> MatchRun:
    """Create a queued run and hand it to the task worker (run at once in tests)."""
    from .tasks import execute_match_run

    if program.matching_mode == MatchingMode.SELF:
        raise MatchError(
            "Participants choose their mentors in this program; a match run would compete with "
            "their requests for the same places."
        )
    if program.status in (ProgramStatus.DRAFT, ProgramStatus.CLOSED):
        raise MatchError(
            f"The program is {program.get_status_display().lower()}: open it to match people."
        )
    chosen = _check_settings(
        program.matching_weights if weights is None else weights,
        program.matching_options if options is None else options,
        min_score,
        fairness,
    )
    for _ in range(5):
        try:
            with transaction.atomic():
                number = (program.match_runs.aggregate(top=Max("number"))["top"] or 0) + 1
                run = MatchRun.objects.create(
                    program=program,
                    number=number,
                    settings=chosen,
                    created_by=by,
                    progress_message="Waiting for a worker",
                )
            break
        except IntegrityError:  # two runs started at the same moment: take the next number
            continue
    else:
        raise MatchError("Could not number the run; try again.")
    # with the database worker the task row is written now and picked up by `db_worker`;
    # with the immediate backend (tests, `trellis match`-like scripts) it runs here
    execute_match_run.enqueue(run.pk)
    return run


def _progress(run: MatchRun, percent: int, message: str) -> None:
    MatchRun.objects.filter(pk=run.pk).update(progress=percent, progress_message=message)


def _summary(scores: list[float], n_mentees: int, inputs: MatchInputs, **extra) -> dict:
    values = np.array(scores, dtype=float)
    histogram = np.histogram(values, bins=HISTOGRAM_BINS, range=(0.0, 1.0))[0].tolist()
    return {
        "mentees": n_mentees,
        "mentors": len(inputs.mentors),
        "places": int(inputs.capacity.sum()),
        "matched": len(scores),
        "unmatched": n_mentees - len(scores),
        "total": math.fsum(scores),
        "weakest": float(values.min()) if len(scores) else None,
        "mean": float(values.mean()) if len(scores) else None,
        "histogram": histogram,
        **extra,
    }


def execute_run(run: MatchRun) -> MatchRun:
    """Score, solve, explain and store every proposal of a queued run."""
    started = time.perf_counter()
    claimed = MatchRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=5, progress_message="Reading participants"
    )
    if not claimed:
        return MatchRun.objects.get(pk=run.pk)
    try:
        loader = load_peer_inputs if run.program.format == Format.PEER else load_inputs
        inputs = loader(
            run.program, weights=run.settings["weights"], options=run.settings["options"]
        )
        _progress(run, 30, f"Scoring {len(inputs.mentees)} mentees x {len(inputs.mentors)} mentors")
        proposals, summary = _solve(run, inputs)
        _progress(run, 85, "Storing proposals")
        with transaction.atomic():
            run.proposals.all().delete()
            Proposal.objects.bulk_create(proposals, batch_size=2_000)
            summary["seconds"] = round(time.perf_counter() - started, 3)
            # conditional: a run superseded while it ran (another was published) stays so
            MatchRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.READY,
                progress=100,
                progress_message="Ready for review",
                summary=summary,
                finished_at=timezone.now(),
            )
    except Exception as error:  # the run must never stay "running" forever
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            progress_message="Failed",
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    return MatchRun.objects.get(pk=run.pk)


def _solve(run: MatchRun, inputs: MatchInputs) -> tuple[list[Proposal], dict]:
    if run.program.format == Format.PEER:
        return _solve_peers(run, inputs)
    proposals, summary = _solve_pairs(run, inputs)
    if run.program.format == Format.CIRCLE:
        _number_circles(proposals, run.program.circle_size or 6)
        summary["circles"] = len({(p.mentor_id, p.circle) for p in proposals if p.mentor_id})
    return proposals, summary


def _circle_sizes(leader_id: int) -> dict[int, int]:
    """circle number -> members, of a leader's running circles."""
    sizes: dict[int, int] = {}
    for number in Mentorship.objects.filter(
        mentor_id=leader_id, status__in=RUNNING, circle__isnull=False
    ).values_list("circle", flat=True):
        sizes[number] = sizes.get(number, 0) + 1
    return sizes


def _number_circles(proposals: list[Proposal], size: int) -> None:
    """Circles: each leader's new members first fill the leader's running circles that have
    room, then as few new circles of at most `size` as fit, the new circles' sizes differing by
    at most one (members in order of score, dealt round the circles)."""
    by_leader: dict[int, list[Proposal]] = {}
    for p in proposals:
        p.circle = None
        if p.mentor_id is not None:
            by_leader.setdefault(p.mentor_id, []).append(p)
    for leader_id, members in by_leader.items():
        members.sort(key=lambda p: (-(p.score or 0), p.mentee_id))
        sizes = _circle_sizes(leader_id)
        rest = []
        for p in members:
            room = [n for n, count in sorted(sizes.items()) if count < size]
            if room:
                number = min(room, key=lambda n: (sizes[n], n))
                sizes[number] += 1
                p.circle = number
            else:
                rest.append(p)
        if rest:
            first = max(sizes, default=0) + 1
            count = -(-len(rest) // size)
            for k, p in enumerate(rest):
                p.circle = first + k % count


def _solve_peers(run: MatchRun, inputs: MatchInputs) -> tuple[list[Proposal], dict]:
    """One pool: most pairs, then the largest total of the symmetrised scores (each peer's fit
    with the other, averaged both ways); exact up to 150 peers, a proven bound above."""
    n = len(inputs.mentees)
    if n == 0:
        return [], _summary([], 0, inputs, certified=True, unit="peers")
    model = ScoreModel(inputs.mentee_profiles, inputs.mentor_profiles, inputs.criteria)
    one_way = model.dense()
    scores = (one_way + one_way.T) / 2
    allowed = np.ones((n, n), dtype=bool)
    rows, cols = inputs.forbidden
    allowed[rows, cols] = False
    np.fill_diagonal(allowed, False)
    for i, j in inputs.locked:  # a locked pair is the only choice for both
        allowed[i, :] = allowed[:, i] = allowed[j, :] = allowed[:, j] = False
        allowed[i, j] = allowed[j, i] = True
    min_score = run.settings.get("min_score")
    if min_score is not None:
        allowed &= scores >= min_score
    result = peer_pairs(scores, allowed)
    _progress(run, 70, "Explaining every pair")
    partner = result.partner
    first = np.array([i for i in range(n) if partner[i] > i], dtype=np.int64)
    parts = model.parts(first, partner[first]) if first.size else {}
    locked = {frozenset(pair) for pair in inputs.locked}
    proposals, scores_kept = [], []
    for i, peer in enumerate(inputs.mentees):
        j = int(partner[i])
        if j < 0:
            why = (
                "Nobody is left to pair with: an odd number of peers, or every other peer "
                "is in a reporting line, a previous pair or ruled out."
                if allowed[i].any()
                else "No peer may be paired with this person (reporting line, previous "
                "pair or the program manager's rule)."
            )
            proposals.append(Proposal(run=run, mentee=peer, unmatched_reason=why))
        elif j > i:
            explanation = explain_pair(
                inputs.mentee_profiles[i], inputs.mentor_profiles[j], parts, inputs.criteria, i, j
            )
            value = float(scores[i, j])
            scores_kept.append(value)
            proposals.append(
                Proposal(
                    run=run,
                    mentee=peer,
                    mentor=inputs.mentees[j],
                    score=value,
                    reasons=explanation.sentence,
                    contributions={k: round(v, 6) for k, v in explanation.contributions.items()},
                    source=ProposalSource.LOCKED
                    if frozenset((i, j)) in locked
                    else ProposalSource.ENGINE,
                )
            )
    summary = _summary(
        scores_kept, n, inputs, certified=bool(result.is_exact), unit="peers", gap=result.gap
    )
    summary["unmatched"] = n - 2 * len(scores_kept)  # peers left without a partner
    summary["gap_percent"] = round(100 * float(result.gap), 4)
    return proposals, summary


def _solve_pairs(run: MatchRun, inputs: MatchInputs) -> tuple[list[Proposal], dict]:
    n, m = len(inputs.mentees), len(inputs.mentors)
    if n == 0:
        return [], _summary([], 0, inputs, certified=True)
    model = ScoreModel(inputs.mentee_profiles, inputs.mentor_profiles, inputs.criteria)
    min_score = run.settings.get("min_score")
    if m == 0:
        mentor = np.full(n, -1)
        reasons = ["no_mentor_capacity"] * n
        certified = True
    else:
        result = assign(
            model,
            inputs.capacity,
            allowed=inputs.allowed,
            min_score=min_score,
            fairness=run.settings.get("fairness", False),
            locked=inputs.locked or None,
        )
        mentor, reasons, certified = result.mentor, list(result.reasons), result.certified
    _progress(run, 70, "Explaining every pair")
    matched = np.flatnonzero(mentor >= 0)
    parts = model.parts(matched, mentor[matched])
    locked = set(inputs.locked)
    proposals, scores = [], []
    for i, participant in enumerate(inputs.mentees):
        j = int(mentor[i])
        if j < 0:
            row = model.block(np.array([i])) if m else np.zeros((1, 0))
            sentence = explain_unmatched(
                reasons[i],
                0,
                row,
                inputs.capacity,
                allowed=inputs.allowed(np.array([i])) if m else None,
                min_score=min_score,
            )
            proposals.append(Proposal(run=run, mentee=participant, unmatched_reason=sentence))
            continue
        explanation = explain_pair(
            inputs.mentee_profiles[i], inputs.mentor_profiles[j], parts, inputs.criteria, i, j
        )
        scores.append(explanation.score)
        proposals.append(
            Proposal(
                run=run,
                mentee=participant,
                mentor=inputs.mentors[j],
                score=explanation.score,
                reasons=explanation.sentence,
                contributions={k: round(v, 6) for k, v in explanation.contributions.items()},
                source=ProposalSource.LOCKED if (i, j) in locked else ProposalSource.ENGINE,
            )
        )
    return proposals, _summary(scores, n, inputs, certified=bool(certified))


# ----------------------------------------------------------------------------- review


def _reviewable(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.READY:
        raise MatchError(
            f"Run {run.number} is {run.get_status_display().lower()}; only a run ready for "
            "review can be changed."
        )
    return run


def _refresh_summary(run: MatchRun) -> None:
    proposals = list(run.proposals.all())
    scores = [p.score for p in proposals if p.mentor_id is not None and p.score is not None]
    values = np.array(scores, dtype=float)
    summary = dict(run.summary)
    if summary.get("unit") == "peers":  # a pair is two people; `mentees` counts the peers
        unmatched = summary.get("mentees", 0) - 2 * len(scores)
    else:
        unmatched = len(proposals) - len(scores)
    if summary.get("circles") is not None:
        summary["circles"] = len({(p.mentor_id, p.circle) for p in proposals if p.mentor_id})
    summary.update(
        matched=len(scores),
        unmatched=unmatched,
        total=math.fsum(scores),
        weakest=float(values.min()) if scores else None,
        mean=float(values.mean()) if scores else None,
        histogram=np.histogram(values, bins=HISTOGRAM_BINS, range=(0.0, 1.0))[0].tolist(),
        edited=True,
    )
    run.summary = summary
    run.save(update_fields=["summary"])


def assign_by_hand(
    run: MatchRun, proposal: Proposal, mentor: Participant | None, *, by
) -> Proposal:
    """Give a mentee another mentor (a swap), or none. The pair is checked against every hard
    rule and the mentor's free places in this run; its score and reasons are computed as the
    engine would."""
    with transaction.atomic():
        run = _reviewable(run)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk, run=run)
        if mentor is None:
            proposal.mentor = None
            proposal.score = None
            proposal.reasons = ""
            proposal.contributions = {}
            proposal.unmatched_reason = "Left unmatched by the program manager."
            proposal.circle = None
            proposal.source = ProposalSource.MANUAL
            proposal.save()
            _refresh_summary(run)
            return proposal
        if run.program.format == Format.PEER:
            raise MatchError(
                "Peers are paired both ways: rule out or lock pairs and re-run instead."
            )
        if mentor.program_id != run.program_id or mentor.role != Role.MENTOR:
            raise MatchError("Choose a mentor of this program.")
        inputs = load_inputs(
            run.program,
            weights=run.settings["weights"],
            options=run.settings["options"],
            mentees=[proposal.mentee],
        )
        at = inputs.mentor_index()
        if mentor.pk not in at:
            raise MatchError(f"{mentor.person} has no free place in this program.")
        j = at[mentor.pk]
        why = inputs.forbid_reasons.get((0, j))
        if why:
            raise MatchError(f"{mentor.person} cannot mentor {proposal.mentee.person}: {why}.")
        taken = run.proposals.filter(mentor=mentor).exclude(pk=proposal.pk).count()
        if taken >= inputs.capacity[j]:
            raise MatchError(
                f"{mentor.person} already has {taken} mentee(s) in this run, all their places. "
                "Move one of them first."
            )
        model = ScoreModel([*inputs.mentee_profiles], [*inputs.mentor_profiles], inputs.criteria)
        parts = model.parts(np.array([0]), np.array([j]))
        explanation = explain_pair(
            inputs.mentee_profiles[0], inputs.mentor_profiles[j], parts, inputs.criteria, 0, j
        )
        if run.program.format == Format.CIRCLE:
            proposal.circle = _circle_with_room(run, mentor, run.program.circle_size or 6)
        proposal.mentor = mentor
        proposal.score = explanation.score
        proposal.reasons = explanation.sentence
        proposal.contributions = {k: round(v, 6) for k, v in explanation.contributions.items()}
        proposal.unmatched_reason = ""
        proposal.source = ProposalSource.MANUAL
        proposal.save()
        _refresh_summary(run)
    return proposal


def _circle_with_room(run: MatchRun, leader: Participant, size: int) -> int:
    """A circle of this leader with room, counting running members and this run's members."""
    sizes = _circle_sizes(leader.pk)
    for number in run.proposals.filter(mentor=leader).values_list("circle", flat=True):
        if number is not None:
            sizes[number] = sizes.get(number, 0) + 1
    room = [n for n, count in sorted(sizes.items()) if count < size]
    if room:
        return min(room, key=lambda n: (sizes[n], n))
    return max(sizes, default=0) + 1


def release_participant(participant: Participant) -> None:
    """Someone leaves the program: their running or proposed mentorships end (the partner goes
    back to the pool) and their open mentoring requests are withdrawn."""
    from trellis.mentorships.services import end_mentorship

    from .models import MentorRequest, RequestStatus

    for mentorship in Mentorship.objects.filter(status__in=RUNNING).filter(
        Q(mentee=participant) | Q(mentor=participant)
    ):
        end_mentorship(mentorship, by=None, reason=f"{participant.person} left the program")
    MentorRequest.objects.filter(status=RequestStatus.PENDING).filter(
        Q(mentee=participant) | Q(mentor=participant)
    ).update(status=RequestStatus.WITHDRAWN, decided_at=timezone.now())


def set_rule(run: MatchRun, proposal: Proposal, kind: str, *, by) -> PairRule:
    """Lock the proposed pair (kept by every later run) or forbid it (never proposed again;
    the mentee is left unmatched in this run until the next run)."""
    if kind not in RuleKind.values:
        raise MatchError("Unknown rule.")
    with transaction.atomic():
        run = _reviewable(run)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk, run=run)
        if proposal.mentor_id is None:
            raise MatchError("This mentee has no proposed mentor to lock or forbid.")
        rule, _ = PairRule.objects.update_or_create(
            program=run.program,
            mentee=proposal.mentee,
            mentor=proposal.mentor,
            defaults={"kind": kind, "created_by": by},
        )
        if kind == RuleKind.FORBID:
            proposal.mentor = None
            proposal.score = None
            proposal.reasons = ""
            proposal.contributions = {}
            proposal.unmatched_reason = (
                "The program manager ruled out the proposed pair; re-run to find another mentor."
            )
            proposal.circle = None
            proposal.source = ProposalSource.MANUAL
            proposal.save()
            _refresh_summary(run)
        else:
            proposal.source = ProposalSource.LOCKED
            proposal.save(update_fields=["source"])
    return rule


def remove_rule(program: Program, rule_id: int) -> None:
    PairRule.objects.filter(program=program, pk=rule_id).delete()


def rerun(run: MatchRun, *, by) -> MatchRun:
    """A new run with the same settings; locks and forbidden pairs apply."""
    chosen = run.settings
    return start_run(
        run.program,
        by=by,
        weights=chosen["weights"],
        options=chosen["options"],
        min_score=chosen.get("min_score"),
        fairness=chosen.get("fairness", False),
    )


@dataclass(frozen=True)
class RunComparison:
    first: MatchRun
    second: MatchRun
    rows: list[dict]  # each mentee whose proposed mentor differs
    same: int


def compare_runs(first: MatchRun, second: MatchRun) -> RunComparison:
    if first.program_id != second.program_id:
        raise MatchError("Only runs of the same program can be compared.")
    a = {p.mentee_id: p for p in first.proposals.select_related("mentee__person", "mentor__person")}
    b = {
        p.mentee_id: p for p in second.proposals.select_related("mentee__person", "mentor__person")
    }
    rows, same = [], 0
    for mentee_id in sorted(a.keys() | b.keys()):
        left, right = a.get(mentee_id), b.get(mentee_id)
        if left and right and left.mentor_id == right.mentor_id:
            same += 1
            continue
        mentee = (left or right).mentee
        rows.append({"mentee": mentee, "first": left, "second": right})
    return RunComparison(first=first, second=second, rows=rows, same=same)


# ----------------------------------------------------------------------------- publishing


def _first_meeting(today: datetime.date) -> datetime.date:
    """A suggested first meeting: the first Tuesday at least five days away."""
    day = today + datetime.timedelta(days=5)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


def publish_run(run: MatchRun, *, by, today: datetime.date | None = None) -> list[Mentorship]:
    """Create the mentorships of a reviewed run, all or none, and introduce each pair."""
    today = today or timezone.localdate()
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=run.program_id)
        run = _reviewable(run)
        proposals = list(
            run.proposals.filter(mentor__isnull=False).select_related(
                "mentee__person", "mentor__person"
            )
        )
        if not proposals:
            raise MatchError("This run proposes no pair to publish.")
        problems = []
        running = Mentorship.objects.filter(program=program, status__in=RUNNING)
        # anyone already in a running pair, on either side (peers are on both)
        taken = set(running.values_list("mentee_id", flat=True))
        load: dict[int, int] = {}
        for mentor_id in running.values_list("mentor_id", flat=True):
            load[mentor_id] = load.get(mentor_id, 0) + 1
        peers = program.format == Format.PEER
        if peers:
            taken |= set(load)
        for p in proposals:
            load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
            for person, who in ((p.mentee, "mentee"), (p.mentor, "mentor")):
                if person.status not in (ParticipantStatus.APPROVED, ParticipantStatus.MATCHED):
                    problems.append(
                        f"{person.person} ({who}) is now {person.get_status_display().lower()}"
                    )
            sides = (p.mentee, p.mentor) if peers else (p.mentee,)
            for person in sides:
                if person.pk in taken:
                    problems.append(f"{person.person} already has a partner")
        for p in proposals:
            places = p.mentor.capacity or program.mentor_capacity
            if load[p.mentor_id] > places:
                problems.append(f"{p.mentor.person} would have more mentees than places ({places})")
        if problems:
            unique = list(dict.fromkeys(problems))
            raise MatchError(
                "The run no longer fits the program; re-run it. "
                + "; ".join(unique[:5])
                + (f"; and {len(unique) - 5} more" if len(unique) > 5 else "")
                + "."
            )
        # hybrid: the pairs are proposals until both people confirm
        hybrid = program.matching_mode == MatchingMode.HYBRID
        mentorships = Mentorship.objects.bulk_create(
            [
                Mentorship(
                    program=program,
                    mentor=p.mentor,
                    mentee=p.mentee,
                    status=MentorshipStatus.PROPOSED if hybrid else MentorshipStatus.ACTIVE,
                    score=p.score,
                    reasons=p.reasons,
                    contributions=p.contributions,
                    circle=p.circle,
                    match_run=run,
                    started_on=today,
                )
                for p in proposals
            ]
        )
        if not hybrid:
            matched_ids = {p.mentee_id for p in proposals} | {p.mentor_id for p in proposals}
            Participant.objects.filter(pk__in=matched_ids).update(
                status=ParticipantStatus.MATCHED, updated_at=timezone.now()
            )
        MatchRun.objects.filter(
            program=program, status__in=[RunStatus.READY, RunStatus.QUEUED, RunStatus.RUNNING]
        ).exclude(pk=run.pk).update(status=RunStatus.SUPERSEDED)
        run.status = RunStatus.PUBLISHED
        run.published_at = timezone.now()
        run.published_by = by
        run.save(update_fields=["status", "published_at", "published_by"])
    from .tasks import introduce_published_run

    introduce_published_run.enqueue(run.pk, _first_meeting(today).isoformat())
    return mentorships


def introduce_run(run_id: int, meeting: datetime.date) -> int:
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    proposals = list(
        run.proposals.filter(mentor__isnull=False).select_related(
            "mentee__person", "mentor__person"
        )
    )
    hybrid = run.program.matching_mode == MatchingMode.HYBRID
    _introduce(run.program, proposals, meeting, confirm=hybrid)
    return len(proposals)


def _introduce(
    program: Program, proposals: list[Proposal], meeting: datetime.date, *, confirm: bool
) -> None:
    url = settings.SITE_URL.rstrip("/") + reverse("programs:landing", args=[program.slug])
    if program.format == Format.CIRCLE:
        _introduce_circles(program, proposals, meeting, url)
        return
    peers = program.format == Format.PEER
    for p in proposals:
        mentee, mentor = p.mentee.person, p.mentor.person
        roles = ("peer", "peer") if peers else ("mentor", "mentee")
        for me, other, role in ((mentee, mentor, roles[0]), (mentor, mentee, roles[1])):
            send_templated_email(
                "match_introduction",
                me.email,
                {
                    "first_name": me.first_name,
                    "other_name": other.full_name,
                    "other_first_name": other.first_name,
                    "other_title": other.title,
                    "other_email": other.email,
                    "other_role": role,
                    "program_name": program.name,
                    "reasons": p.reasons,
                    "is_mentee": me == mentee,
                    "first_meeting": meeting,
                    "program_url": url,
                    "confirm": confirm,
                },
            )


def _introduce_circles(
    program: Program, proposals: list[Proposal], meeting: datetime.date, url: str
) -> None:
    """One email per person: the leader gets the circle's members, each member the leader and
    the other members (not one email per member-leader pair)."""
    circles: dict[tuple[int, int | None], list[Proposal]] = {}
    for p in proposals:
        circles.setdefault((p.mentor_id, p.circle), []).append(p)
    for members in circles.values():
        leader = members[0].mentor.person
        people = [p.mentee.person for p in members]
        for me in [leader, *people]:
            send_templated_email(
                "circle_introduction",
                me.email,
                {
                    "first_name": me.first_name,
                    "is_leader": me == leader,
                    "leader": leader,
                    "members": [person for person in people if person != me],
                    "program_name": program.name,
                    "first_meeting": meeting,
                    "program_url": url,
                },
            )
