"""Staff pages for organisations, people and mobile members. Access → form → action → redirect."""

import copy
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from branches import actions, resources, selectors
from branches.forms import (
    MembershipEventForm,
    MobileDepartureForm,
    MobileMemberFilter,
    MobileReportForm,
    MobileReturnForm,
    PersonCreateForm,
    PersonFilter,
    PersonForm,
    RoleAssignForm,
    StatusStepForm,
)
from portal.web import apply_action, form_errors_to_messages, paginate


@login_required
def organisation_tree(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisation_tree_for_user(user=request.user)
    return render(request, "branches/organisation_tree.html", {"organisations": organisations})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return render(request, "branches/organisation_detail.html", selectors.organisation_page(organisation=organisation))


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    people = PersonFilter(request.GET, queryset=selectors.person_list_for_user(user=request.user), user=request.user)
    page = paginate(request, people.qs)
    return render(request, "branches/person_list.html", {"filter": people, "page": page})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    selectors.person_create_check(user=request.user)
    form = PersonCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        person = apply_action(
            request,
            form,
            lambda data: actions.person_create(actor=request.user, **data),
            "已添加人员。",
        )
        if person:
            return redirect(person)
    return render(request, "branches/person_form.html", {"form": form})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    context = {"person": person, **selectors.person_history(person=person)}
    if selectors.scope_for(request.user).covers_path(person.organisation.path):
        today = {"date": timezone.localdate()}
        context |= {
            "status_form": StatusStepForm(initial=today),
            "event_form": MembershipEventForm(initial=today, user=request.user),
            "role_form": RoleAssignForm(initial={"start_date": today["date"]}, user=request.user),
            "can_edit": True,
        }
    return render(request, "branches/person_detail.html", context)


@login_required
def person_update(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    # The form validates a copy: the action compares against the untouched record for its audit diff.
    form = PersonForm(request.POST or None, instance=copy.copy(person), user=request.user)
    if request.method == "POST":
        done = apply_action(
            request,
            form,
            lambda data: actions.person_update(
                actor=request.user,
                person=person,
                id_number=data["id_number"],
                **{name: data[name] for name in PersonForm.Meta.fields},
            ),
            "已保存。",
        )
        if done:
            return redirect(person)
    return render(request, "branches/person_form.html", {"form": form, "person": person})


def _post_on_person(request: HttpRequest, pk: int, form, action, success: str) -> HttpResponse:
    """Forms posted from a person's page: run the action, report errors there."""
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    if not apply_action(request, form, lambda data: action(person, data), success):
        form_errors_to_messages(request, form)
    return redirect(person)


@login_required
@require_POST
def person_status_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_person(
        request,
        pk,
        StatusStepForm(request.POST),
        lambda person, data: actions.status_step_add(actor=request.user, person=person, **data),
        "已记录政治面貌变更。",
    )


@login_required
@require_POST
def person_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_person(
        request,
        pk,
        MembershipEventForm(request.POST, user=request.user),
        lambda person, data: actions.membership_event_record(actor=request.user, person=person, **data),
        "已记录组织关系事件。",
    )


@login_required
@require_POST
def person_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_person(
        request,
        pk,
        RoleAssignForm(request.POST, user=request.user),
        lambda person, data: actions.role_assign(actor=request.user, person=person, **data),
        "已记录职务任命。",
    )


@login_required
def mobile_list(request: HttpRequest) -> HttpResponse:
    records = MobileMemberFilter(
        request.GET, queryset=selectors.mobile_member_list_for_user(user=request.user), user=request.user
    )
    rows = selectors.mobile_member_rows(records=records.qs)
    return render(request, "branches/mobile_list.html", {"page": paginate(request, rows), "filter": records})


@login_required
def mobile_depart(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    form = MobileDepartureForm(request.POST or None, initial={"leave_date": timezone.localdate()})
    if request.method == "POST":
        record = apply_action(
            request,
            form,
            lambda data: actions.mobile_departure_record(actor=request.user, person=person, **data),
            "已登记外出。",
        )
        if record:
            return redirect(record)
    return render(request, "branches/mobile_form.html", {"form": form, "person": person})


@login_required
def mobile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobile_member_get_for_user(user=request.user, pk=pk)
    context = {"row": selectors.mobile_member_rows(records=[record])[0], "reports": record.reports.all()}
    if selectors.scope_for(request.user).covers_path(record.person.organisation.path):
        today = {"date": timezone.localdate()}
        context |= {"report_form": MobileReportForm(initial=today), "return_form": MobileReturnForm(initial=today)}
    return render(request, "branches/mobile_detail.html", context)


def _post_on_mobile(request: HttpRequest, pk: int, form, action, success: str) -> HttpResponse:
    record = selectors.mobile_member_get_for_user(user=request.user, pk=pk, write=True)
    if not apply_action(request, form, lambda data: action(record, data), success):
        form_errors_to_messages(request, form)
    return redirect(record)


@login_required
@require_POST
def mobile_report_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_mobile(
        request,
        pk,
        MobileReportForm(request.POST),
        lambda record, data: actions.mobile_report_record(actor=request.user, mobile_member=record, **data),
        "已记录汇报。",
    )


@login_required
@require_POST
def mobile_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_mobile(
        request,
        pk,
        MobileReturnForm(request.POST),
        lambda record, data: actions.mobile_return_record(actor=request.user, mobile_member=record, **data),
        "已登记返回。",
    )


# Rosters: import (upload → preview → confirm) and export -------------------------------------------------------


def _require_managing_scope(request: HttpRequest) -> None:
    """Rosters are staff tools: a user who manages nothing gets 404, as for anything outside their scope."""
    if not selectors.scope_for(request.user).manages_anything:
        raise Http404("页面不存在。")


def _xlsx_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=resources.XLSX_CONTENT_TYPE
    )


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    people = PersonFilter(request.GET, queryset=selectors.person_list_for_user(user=request.user), user=request.user)
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    content = actions.person_export(actor=request.user, people=people.qs, filters=filters)
    return _xlsx_response(content, f"人员名单-{timezone.localdate():%Y%m%d}.xlsx")
