"""Small helpers shared by the thin views of every app."""

import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect


def apply_action(request: HttpRequest, form: forms.Form, action: Callable[[dict], Any], success: str) -> Any:
    """Validates the form and runs the action with its cleaned data.

    Returns the action's result, or None when the form or the action refused (errors are then on the form,
    and nothing was written: actions are atomic).
    """
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, success)
    return result if result is not None else True


def form_errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    """For forms posted from a detail page: show what was wrong there, after the redirect."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def paginate(request: HttpRequest, queryset, per_page: int = 30) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def xlsx_response(content: bytes, filename: str) -> FileResponse:
    """A workbook as a download: every export and template goes out through this one response."""
    from portal.lib.xlsx import XLSX_CONTENT_TYPE

    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def post_on(
    request: HttpRequest,
    target: Any,
    action: Callable[[dict], Any],
    success: str,
    form: forms.Form | None = None,
    go_to: Callable[[Any], Any] | None = None,
) -> HttpResponse:
    """A form or button posted from an object's page, once the view has checked access to `target`: runs `action` with
    the form's cleaned data (a button posts no fields: `{}`), shows a refusal on that page as messages and goes back
    to it — or to `go_to(result)` when the action made a page of its own (a questionnaire's new version)."""
    form = form if form is not None else forms.Form(request.POST)
    result = apply_action(request, form, action, success)
    if not result:
        form_errors_to_messages(request, form)
        return redirect(target)
    return redirect(go_to(result) if go_to else target)
