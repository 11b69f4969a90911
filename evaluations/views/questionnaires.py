"""Questionnaire pages: the staff builder (list, create, the questionnaire page with its questions, publish, close,
new version, share panel with short link and QR code, preview), paper entry, results with charts, the Excel export
— and the public answering page reached by the short link (no login). Access → form → action → redirect with a
message; a refused answer sheet or question comes back with what was typed and every error beside its field.
"""

import io
import secrets

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from evaluations.actions import questionnaires as actions
from evaluations.forms.questionnaires import (
    QuestionForm,
    QuestionnaireForm,
    answer_sheet,
    answers_from_post,
    refusal_errors,
)
from evaluations.models import Question, Questionnaire, Response
from evaluations.selectors import questionnaires as selectors
from portal.web import apply_action, form_errors_to_messages, paginate, post_on, xlsx_response

DEVICE_COOKIE = "questionnaire_device"
DEVICE_MAX_AGE = 365 * 24 * 60 * 60
# Generous on purpose: residents often answer together at a community meeting, many phones behind one venue's
# Wi-Fi (one address). One response per device is enforced separately; this only stops a flood from one address.
ANSWER_RATE = "60/10m"


def _device(request: HttpRequest) -> str:
    """The device id from the cookie, if it looks like one of ours (anything else counts as no cookie)."""
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    plain = device.replace("-", "").replace("_", "")
    return device if 16 <= len(device) <= actions.MAX_DEVICE and plain.isalnum() else ""


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _device(request):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _short_url(request: HttpRequest, questionnaire: Questionnaire) -> str:
    code = selectors.questionnaire_code(questionnaire=questionnaire)
    return request.build_absolute_uri(reverse("evaluations:questionnaire_answer", args=[code]))


def _text_ids(questions: list[Question]) -> list[int]:
    return [q.pk for q in questions if q.kind == Question.Kind.TEXT]


def _sheet_page(
    request: HttpRequest, template: str, questionnaire: Questionnaire, questions: list[Question], refusal=None
) -> HttpResponse:
    """An answer sheet page; after a refusal, what was posted is put back, every error is next to its question, and
    a summary at the top links to each (status 400)."""
    errors = refusal_errors(refusal) if refusal else {}
    sheet = answer_sheet(questions, request.POST if refusal else None, errors)
    summary = [("", message) for message in errors.get(NON_FIELD_ERRORS, [])]
    summary += [(item.anchor, message) for item in sheet for message in item.errors]
    context = {"questionnaire": questionnaire, "sheet": sheet, "error_summary": summary}
    return render(request, template, context, status=400 if refusal else 200)


# Staff: list, create, builder --------------------------------------------------------------------------------


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.questionnaire_list_for_user(user=request.user))
    return render(request, "evaluations/questionnaire_list.html", {"page": page})


@login_required
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    selectors.questionnaire_area_check(user=request.user)
    form = QuestionnaireForm(request.POST or None, user=request.user)
    if request.method == "POST":
        questionnaire = apply_action(
            request,
            form,
            lambda data: actions.questionnaire_create(actor=request.user, **data),
            _("已新建问卷，请添加题目。"),
        )
        if questionnaire:
            return redirect(questionnaire)
    return render(request, "evaluations/questionnaire_form.html", {"form": form})


def _detail_page(request: HttpRequest, questionnaire: Questionnaire, question_form: QuestionForm | None = None):
    """The questionnaire page; with a refused question form, that form bound, with its errors (status 400)."""
    context = selectors.questionnaire_builder(questionnaire=questionnaire)
    if context["editable"]:
        context["question_form"] = question_form or QuestionForm(category_options=context["category_options"])
    if questionnaire.state == Questionnaire.State.PUBLISHED:
        url = _short_url(request, questionnaire)
        context.update(short_url=url, qr_svg=segno.make(url, error="m").svg_inline(scale=4))
    status = 400 if question_form is not None else 200
    return render(request, "evaluations/questionnaire_detail.html", context, status=status)


@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk)
    return _detail_page(request, questionnaire)


@login_required
@require_GET
def questionnaire_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer page exactly as respondents see it, with the submit button off: nothing can be sent from it."""
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk)
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    context = {"questionnaire": questionnaire, "sheet": answer_sheet(questions), "preview": True}
    return render(request, "evaluations/questionnaire_answer.html", context)


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    form = QuestionForm(request.POST, category_options=selectors.questionnaire_category_options(questions=questions))
    add = lambda data: actions.question_add(actor=request.user, questionnaire=questionnaire, **form.action_kwargs())  # noqa: E731
    if apply_action(request, form, add, _("已添加题目。")):
        return redirect(questionnaire)
    if questionnaire.state == Questionnaire.State.CLOSED or selectors.questionnaire_has_responses(
        questionnaire=questionnaire
    ):
        form_errors_to_messages(request, form)  # the page has no question form any more: say why there
        return redirect(questionnaire)
    return _detail_page(request, questionnaire, question_form=form)  # what was typed stays, with the errors


@login_required
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    question = next((q for q in questions if q.pk == question_pk), None)
    if question is None:
        raise Http404("题目不存在。")
    form = QuestionForm(
        request.POST or None,
        category_options=selectors.questionnaire_category_options(questions=questions),
        editing=question,
    )
    if request.method == "POST":

        def edit(data: dict) -> Question:
            kwargs = form.action_kwargs()
            kwargs.pop("kind")  # the kind of an existing question stays
            return actions.question_edit(actor=request.user, question=question, **kwargs)

        done = apply_action(request, form, edit, _("已保存题目。"))
        if done:
            return redirect(questionnaire)
    context = {"questionnaire": questionnaire, "question": question, "form": form}
    return render(request, "evaluations/questionnaire_question_form.html", context)


def _question_of(questionnaire: Questionnaire, question_pk: int) -> Question:
    return get_object_or_404(Question, pk=question_pk, questionnaire=questionnaire)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        questionnaire,
        lambda data: actions.question_remove(actor=request.user, question=_question_of(questionnaire, question_pk)),
        _("已删除题目。"),
    )


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    up = request.POST.get("direction") != "down"
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        questionnaire,
        lambda data: actions.question_move(
            actor=request.user, question=_question_of(questionnaire, question_pk), up=up
        ),
        _("已调整题目顺序。"),
    )


@login_required
@require_POST
def questionnaire_publish(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        questionnaire,
        lambda data: actions.questionnaire_publish(actor=request.user, questionnaire=questionnaire),
        _("问卷已发布，可以分享链接或二维码了。"),
    )


@login_required
@require_POST
def questionnaire_close(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        questionnaire,
        lambda data: actions.questionnaire_close(actor=request.user, questionnaire=questionnaire),
        _("问卷已结束，不再接收答卷。"),
    )


@login_required
@require_POST
def questionnaire_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        questionnaire,
        lambda data: actions.questionnaire_new_version(actor=request.user, questionnaire=questionnaire),
        _("已创建新版本（草稿），原版本已结束并保留其答卷。请修改后发布。"),
        go_to=lambda result: result,
    )


@login_required
@require_GET
def questionnaire_qr(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk)
    buffer = io.BytesIO()
    segno.make(_short_url(request, questionnaire), error="m").save(buffer, kind="svg", scale=8, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="questionnaire-{questionnaire.pk}.svg"'
    return response


# Staff: paper entry, results, export -------------------------------------------------------------------------


@login_required
def questionnaire_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """One paper form per submit, checked by the same rules as the public page; then an empty sheet for the next."""
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    if request.method == "POST":
        try:
            response = actions.response_submit(
                questionnaire=questionnaire,
                answers=answers_from_post(request.POST, text_question_ids=_text_ids(questions)),
                channel=Response.Channel.PAPER,
                entered_by=request.user,
            )
        except ValidationError as refusal:
            return _sheet_page(request, "evaluations/questionnaire_paper.html", questionnaire, questions, refusal)
        for note in response.notes:
            messages.warning(request, note)
        messages.success(request, _("已录入 1 份纸质问卷，可继续录入下一份。"))
        return redirect("evaluations:questionnaire_paper", pk=questionnaire.pk)
    return _sheet_page(request, "evaluations/questionnaire_paper.html", questionnaire, questions)


@login_required
@require_GET
def questionnaire_results(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk)
    category = selectors.questionnaire_category_option(questionnaire=questionnaire, raw=request.GET.get("category"))
    data = selectors.results(questionnaire=questionnaire, category_option=category)
    questions = [item["question"] for item in data["questions"]]
    context = {
        "questionnaire": questionnaire,
        "results": data,
        "export_query": f"?category={category.pk}" if category else "",
        "category_options": selectors.questionnaire_category_options(questions=questions),
        "charts": selectors.results_chart_data(items=data["questions"]),
    }
    return render(request, "evaluations/questionnaire_results.html", context)


@login_required
@require_GET
def questionnaire_export(request: HttpRequest, pk: int) -> FileResponse:
    """The results page's respondent-category filter (?category=) applies here too; a junk one is no filter."""
    questionnaire = selectors.questionnaire_get_for_user(user=request.user, pk=pk, write=True)
    category = selectors.questionnaire_category_option(questionnaire=questionnaire, raw=request.GET.get("category"))
    content = actions.questionnaire_export(actor=request.user, questionnaire=questionnaire, category_option=category)
    part = f"-{category.text}" if category else ""
    name = f"问卷结果-{questionnaire.pk}{part}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(content, name)


# Public: the answering page ----------------------------------------------------------------------------------


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluations/questionnaire_missing.html", status=404)


@ratelimit(key="ip", rate=ANSWER_RATE, method="POST", block=True)
def questionnaire_answer(request: HttpRequest, code: str) -> HttpResponse:
    """No login. GET shows the questions and gives the phone its device cookie; POST stores one response through
    `response_submit`, which enforces every rule whatever was sent. A refusal re-shows the sheet with a Chinese
    message (status 400) and stores nothing."""
    questionnaire = selectors.questionnaire_public_get(code=code)
    if questionnaire is None:
        return _missing(request)
    if questionnaire.state != Questionnaire.State.PUBLISHED:
        status = 410 if questionnaire.state == Questionnaire.State.CLOSED else 403
        return render(
            request, "evaluations/questionnaire_unavailable.html", {"questionnaire": questionnaire}, status=status
        )
    if request.method == "GET" and selectors.questionnaire_answered_by_device(
        questionnaire=questionnaire, device=_device(request)
    ):
        context = {"questionnaire": questionnaire, "already": True}
        return render(request, "evaluations/questionnaire_answered.html", context)
    questions = selectors.questionnaire_questions(questionnaire=questionnaire)
    refused = None
    if request.method == "POST":
        device = _device(request)
        try:
            if not device:
                raise ValidationError(_("未能识别您的手机：请重新扫码打开问卷再提交（请勿禁用浏览器的 Cookie）。"))
            response = actions.response_submit(
                questionnaire=questionnaire,
                answers=answers_from_post(request.POST, text_question_ids=_text_ids(questions)),
                channel=Response.Channel.ONLINE,
                device=device,
            )
        except ValidationError as refusal:
            refused = refusal
        else:
            for note in response.notes:
                messages.info(request, note)
            return redirect("evaluations:questionnaire_answered", code=code)
    page = _sheet_page(request, "evaluations/questionnaire_answer.html", questionnaire, questions, refused)
    return _with_device(request, page)


@require_GET
def questionnaire_answered(request: HttpRequest, code: str) -> HttpResponse:
    questionnaire = selectors.questionnaire_public_get(code=code)
    if questionnaire is None:
        return _missing(request)
    return render(request, "evaluations/questionnaire_answered.html", {"questionnaire": questionnaire})


Q = "evaluations/questionnaires/"

urlpatterns = [
    path(Q, questionnaire_list, name="questionnaire_list"),
    path(Q + "new/", questionnaire_create, name="questionnaire_create"),
    path(Q + "<int:pk>/", questionnaire_detail, name="questionnaire_detail"),
    path(Q + "<int:pk>/questions/add/", question_add, name="questionnaire_question_add"),
    path(Q + "<int:pk>/questions/<int:question_pk>/edit/", question_edit, name="questionnaire_question_edit"),
    path(Q + "<int:pk>/questions/<int:question_pk>/remove/", question_remove, name="questionnaire_question_remove"),
    path(Q + "<int:pk>/questions/<int:question_pk>/move/", question_move, name="questionnaire_question_move"),
    path(Q + "<int:pk>/publish/", questionnaire_publish, name="questionnaire_publish"),
    path(Q + "<int:pk>/close/", questionnaire_close, name="questionnaire_close"),
    path(Q + "<int:pk>/new-version/", questionnaire_new_version, name="questionnaire_new_version"),
    path(Q + "<int:pk>/preview/", questionnaire_preview, name="questionnaire_preview"),
    path(Q + "<int:pk>/qr.svg", questionnaire_qr, name="questionnaire_qr"),
    path(Q + "<int:pk>/paper/", questionnaire_paper, name="questionnaire_paper"),
    path(Q + "<int:pk>/results/", questionnaire_results, name="questionnaire_results"),
    path(Q + "<int:pk>/export.xlsx", questionnaire_export, name="questionnaire_export"),
    path("q/<str:code>/", questionnaire_answer, name="questionnaire_answer"),
    path("q/<str:code>/thanks/", questionnaire_answered, name="questionnaire_answered"),
]
