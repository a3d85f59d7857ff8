"""The program's surveys (first-meeting fit, midpoint, periodic, end of program), editable by
its managers: titles, questions, kinds, choices and scales. Every change is checked by the same
reader as a template's [[surveys]]; a survey already sent keeps the questions it was sent with.
"""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .models import QuestionKind
from .permissions import program_manager_of_program
from .services import (
    SURVEY_KINDS,
    SURVEY_QUESTION_KINDS,
    ProgramError,
    check_surveys,
    update_program,
)

_KEY = re.compile(r"[^a-z0-9]+")


def _key(label: str, taken: set[str]) -> str:
    base = _KEY.sub("_", label.lower()).strip("_")[:40].strip("_") or "question"
    if base[0].isdigit():
        base = f"q_{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


def surveys_from_post(post) -> list[dict]:
    """The surveys as the form describes them (before checking). The form names every field by
    the survey's kind and carries each question's key, so it is read on its own, whatever the
    database holds meanwhile (a failed save re-shows exactly what was posted)."""
    surveys = []
    for kind in post.getlist("kinds"):
        if kind not in SURVEY_KINDS or post.get(f"{kind}-remove"):
            continue
        questions, taken = [], set()
        count = min(_int(post.get(f"{kind}-count"), 0), 50)
        for prefix in [f"{kind}-q{j}" for j in range(count)] + [f"{kind}-qnew"]:
            label = post.get(f"{prefix}-label", "").strip()
            new = prefix.endswith("-qnew")
            if post.get(f"{prefix}-remove") or (new and not label):
                continue
            key = post.get(f"{prefix}-key", "") if not new else ""
            key = key if key and key not in taken else _key(label, taken)
            taken.add(key)
            question_kind = post.get(f"{prefix}-kind", "scale")
            item = {
                "key": key,
                "kind": question_kind,
                "label": label,
                "required": bool(post.get(f"{prefix}-required")),
                "choices": [],
                "scale": None,
            }
            if question_kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
                lines = post.get(f"{prefix}-choices", "").splitlines()
                item["choices"] = [c.strip() for c in lines if c.strip()]
            if question_kind == QuestionKind.SCALE:
                item["scale"] = {
                    "min": _int(post.get(f"{prefix}-min"), 1),
                    "max": _int(post.get(f"{prefix}-max"), 5),
                    "min_label": post.get(f"{prefix}-min_label", "").strip(),
                    "max_label": post.get(f"{prefix}-max_label", "").strip(),
                }
            questions.append(item)
        surveys.append(
            {
                "kind": kind,
                "title": post.get(f"{kind}-title", "").strip(),
                "every_weeks": _int(post.get(f"{kind}-every_weeks"), 4)
                if kind == "periodic"
                else None,
                "questions": questions,
            }
        )
    added = post.get("add_kind", "")
    if added in SURVEY_KINDS and added not in {s["kind"] for s in surveys}:
        surveys.append(
            {
                "kind": added,
                "title": SURVEY_KINDS[added],
                "every_weeks": 4 if added == "periodic" else None,
                "questions": [
                    {
                        "key": "satisfaction",
                        "kind": "scale",
                        "label": "How satisfied are you with your mentoring?",
                        "required": True,
                        "choices": [],
                        "scale": {"min": 1, "max": 5, "min_label": "", "max_label": ""},
                    }
                ],
            }
        )
    return surveys


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def surveys(request, program):
    current = list(program.surveys or [])
    errors = ""
    if request.method == "POST":
        proposed = surveys_from_post(request.POST)
        try:
            check_surveys(proposed)
            update_program(program, by=request.user, surveys=proposed)
        except ProgramError as error:
            errors = str(error)
            current = proposed
        else:
            messages.success(
                request, "The surveys are saved; surveys already sent keep their questions."
            )
            return redirect("programs:surveys", slug=program.slug)
    return render(
        request,
        "programs/surveys.html",
        {
            "program": program,
            "surveys": current,
            "errors": errors,
            "kinds": [(k, v) for k, v in SURVEY_KINDS.items()],
            "question_kinds": [(k, QuestionKind(k).label) for k in SURVEY_QUESTION_KINDS],
            "missing": [
                (k, v) for k, v in SURVEY_KINDS.items() if k not in {s["kind"] for s in current}
            ],
        },
    )
