"""The registration-form builder: a program's managers add, edit, delete and reorder questions,
and preview the form as a participant of each role sees it.

Every view is for this program's managers (and organisation admins) only.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from trellis.enrolment.forms import RegistrationForm
from trellis.enrolment.selectors import answer_count, questions_by_role
from trellis.enrolment.services import offered_roles

from .models import Question, Role
from .permissions import program_manager_of_program
from .question_forms import QuestionForm, delete_question, move_question, role_heading


def _sections(program) -> list[dict]:
    """The builder's lists: questions for every role, then each role's own."""
    grouped = questions_by_role(program)
    roles = ["", *offered_roles(program)]
    roles += [role for role in grouped if role not in roles]  # left over from another format
    return [
        {
            "role": role,
            "heading": role_heading(role),
            "questions": grouped.get(role, []),
            "is_offered": role == "" or role in offered_roles(program),
        }
        for role in roles
    ]


def _builder_url(program, question: Question | None = None) -> str:
    url = reverse("programs:form_builder", args=[program.slug])
    return f"{url}#question-{question.pk}" if question else url


def _questions_fragment(request, program):
    response = render(
        request,
        "programs/form_builder.html#questions",
        {"program": program, "sections": _sections(program)},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def form_builder(request, program):
    if request.method == "POST":
        form = QuestionForm(request.POST, program=program)
        if form.is_valid():
            question = form.save()
            messages.success(request, f"Question “{question.label}” added.")
            return redirect(_builder_url(program, question))
    else:
        role = request.GET.get("role", "")
        form = QuestionForm(
            program=program, initial={"role": role if role in offered_roles(program) else ""}
        )
    return render(
        request,
        "programs/form_builder.html",
        {"program": program, "sections": _sections(program), "form": form},
    )


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request, program, pk: int):
    question = get_object_or_404(Question, pk=pk, program=program)
    if request.method == "POST":
        form = QuestionForm(request.POST, instance=question, program=program)
        if form.is_valid():
            form.save()
            messages.success(request, f"Question “{question.label}” saved.")
            return redirect(_builder_url(program, question))
    else:
        form = QuestionForm(instance=question, program=program)
    return render(
        request,
        "programs/question_edit.html",
        {
            "program": program,
            "question": question,
            "form": form,
            "answer_count": answer_count(question),
        },
    )


@program_manager_of_program
@require_POST
def question_delete(request, program, pk: int):
    question = get_object_or_404(Question, pk=pk, program=program)
    label = question.label
    delete_question(question)
    messages.success(request, f"Question “{label}” deleted.")
    return redirect(_builder_url(program))


@program_manager_of_program
@require_POST
def question_move(request, program, pk: int):
    question = get_object_or_404(Question, pk=pk, program=program)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        move_question(question, direction)
    if request.htmx:
        return _questions_fragment(request, program)
    return redirect(_builder_url(program, question))


@program_manager_of_program
@require_http_methods(["GET", "HEAD", "POST"])
def form_preview(request, program):
    """The participant's form, rendered by the same class; submitting only checks the answers."""
    roles = offered_roles(program)
    role = request.GET.get("role", "")
    if role not in roles:
        role = roles[0]
    person = request.user.person
    checked = False
    if request.method == "POST":
        form = RegistrationForm(request.POST, program=program, role=role, person=person)
        checked = form.is_valid()
    else:
        form = RegistrationForm(program=program, role=role, person=person)
    return render(
        request,
        "programs/form_preview.html",
        {
            "program": program,
            "form": form,
            "role": role,
            "role_label": Role(role).label.lower(),
            "roles": [{"role": r, "label": Role(r).label} for r in roles],
            "checked": checked,
        },
    )
