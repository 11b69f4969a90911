"""Staff pages for organisations, people and mobile members. Access → form → action → redirect."""

import base64
import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from branches import actions, resources, selectors
from branches.forms import (
    AccountLinkForm,
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
from portal.web import apply_action, paginate, post_on, xlsx_response


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
    people = PersonFilter(
        request.GET,
        queryset=selectors.person_list_for_user(user=request.user).select_related("user"),
        user=request.user,
    )
    page = paginate(request, people.qs)
    context = {"filter": people, "page": page, "initial_password_days": settings.INITIAL_PASSWORD_DAYS}
    return render(request, "branches/person_list.html", context)


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
            # Four forms on one page: each its own id prefix, so no two fields share an id (or a label's for=).
            "status_form": StatusStepForm(initial=today, auto_id="status-%s"),
            "event_form": MembershipEventForm(initial=today, user=request.user, auto_id="event-%s"),
            "role_form": RoleAssignForm(initial={"start_date": today["date"]}, user=request.user, auto_id="role-%s"),
            "account_link_form": None if person.user_id else AccountLinkForm(user=request.user, auto_id="link-%s"),
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


@login_required
@require_POST
def person_status_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        person,
        lambda data: actions.status_step_add(actor=request.user, person=person, **data),
        "已记录政治面貌变更。",
        form=StatusStepForm(request.POST),
    )


@login_required
@require_POST
def person_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        person,
        lambda data: actions.membership_event_record(actor=request.user, person=person, **data),
        "已记录组织关系事件。",
        form=MembershipEventForm(request.POST, user=request.user),
    )


@login_required
@require_POST
def person_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        person,
        lambda data: actions.role_assign(actor=request.user, person=person, **data),
        "已记录职务任命。",
        form=RoleAssignForm(request.POST, user=request.user),
    )


# Accounts: 开通账号 (a list or one person), 关联已有账号, 重置密码 -------------------------------------------------


def _account_slips(request: HttpRequest, result: actions.AccountsOpened, back_url: str) -> HttpResponse:
    """The 开通单: one printable slip per new account, and the same as an Excel file.

    The clear passwords exist only in this response. The workbook is built here, in the same POST that opened the
    accounts, and handed to the browser inside the page as a data: link (「下载 Excel」), so no second request
    ever needs them: nothing is stored on the server (no file, no session, no cache) from which they could be
    fetched again, and there is no download URL to leak or replay. (A signed, encrypted payload in the session
    would also work, but would keep the secrets, however protected, in the sessions table for its lifetime.)
    The page is sent `no-store` so that the browser keeps no copy either; leaving it loses the passwords, and a
    reset (重置密码) makes new ones."""
    content = resources.account_slips_xlsx(result.opened)
    context = {
        "result": result,
        "back_url": back_url,
        "xlsx_href": f"data:{resources.XLSX_CONTENT_TYPE};base64,{base64.b64encode(content).decode()}",
        "xlsx_name": f"开通单-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        "login_url": request.build_absolute_uri(reverse("account_login")),
    }
    response = render(request, "branches/account_slips.html", context)
    add_never_cache_headers(response)
    return response


def _people_to_open(request: HttpRequest):
    """The people 「开通账号」 on the list means: the ticked ones (all in scope, or 404), or with `all` every person
    of the current filtered list (the query string) who is on the roll and has no account."""
    in_scope = selectors.person_list_for_user(user=request.user)
    if request.POST.get("all"):
        listed = PersonFilter(request.GET, queryset=in_scope, user=request.user)
        if not listed.is_valid():
            # django-filter would drop an invalid filter (an organisation outside the scope, say) and so widen the
            # list to the whole scope: opening accounts for people nobody meant is refused instead.
            raise Http404("筛选条件无效。")
        return listed.qs.filter(user__isnull=True, is_active_member=True)
    raw = request.POST.getlist("person")
    if not all(value.isdigit() for value in raw):
        raise Http404("人员不存在。")
    # At most DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) ticks: Django refuses a larger form before this view.
    ids = {int(value) for value in raw}
    people = in_scope.filter(pk__in=ids)
    if people.count() != len(ids):
        raise Http404("人员不存在。")
    return people


@login_required
@require_POST
def people_accounts_open(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    people = _people_to_open(request)
    back_url = f"{reverse('branches:person_list')}?{request.GET.urlencode()}"
    count = people.count()
    if count > settings.ACCOUNT_OPEN_WEB_MAX:
        messages.error(
            request,
            _(
                "一次最多为 %(max)d 人开通账号（本次 %(count)d 人）。请按党支部分批开通，"
                "或由组织部使用命令 manage.py open_accounts 一次开通。"
            )
            % {"max": settings.ACCOUNT_OPEN_WEB_MAX, "count": count},
        )
        return redirect(back_url)
    if count == 0:
        messages.error(
            request, _("请先勾选要开通账号的人员。") if not request.POST.get("all") else _("没有需要开通账号的人员。")
        )
        return redirect(back_url)
    try:
        result = actions.people_accounts_open(actor=request.user, people=people)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back_url)
    return _account_slips(request, result, back_url)


def _slip_for_one(request: HttpRequest, pk: int, issue) -> HttpResponse:
    """Opens an account for one person, or resets their password (`issue`), and shows that person's 开通单."""
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    try:
        opened = issue(actor=request.user, person=person)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(person)
    return _account_slips(request, actions.AccountsOpened(opened=[opened]), person.get_absolute_url())


@login_required
@require_POST
def person_account_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _slip_for_one(request, pk, actions.person_account_open)


@login_required
@require_POST
def person_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _slip_for_one(request, pk, actions.person_password_reset)


@login_required
@require_POST
def person_account_link(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        person,
        lambda data: actions.person_account_link(actor=request.user, person=person, user=data["user"]),
        "已关联登录账号。",
        form=AccountLinkForm(request.POST, user=request.user),
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


@login_required
@require_POST
def mobile_report_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobile_member_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        record,
        lambda data: actions.mobile_report_record(actor=request.user, mobile_member=record, **data),
        "已记录汇报。",
        form=MobileReportForm(request.POST),
    )


@login_required
@require_POST
def mobile_return(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobile_member_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        record,
        lambda data: actions.mobile_return_record(actor=request.user, mobile_member=record, **data),
        "已登记返回。",
        form=MobileReturnForm(request.POST),
    )


# Rosters: import (upload → preview → confirm) and export -------------------------------------------------------


def _require_managing_scope(request: HttpRequest) -> None:
    """Rosters are staff tools: a user who manages nothing gets 404, as for anything outside their scope."""
    if not selectors.scope_for(request.user).manages_anything:
        raise Http404("页面不存在。")


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    _require_managing_scope(request)
    people = PersonFilter(request.GET, queryset=selectors.person_list_for_user(user=request.user), user=request.user)
    filters = {key: value for key, value in request.GET.items() if key != "page" and value}
    content = actions.person_export(actor=request.user, people=people.qs, filters=filters)
    return xlsx_response(content, f"人员名单-{timezone.localdate():%Y%m%d}.xlsx")
