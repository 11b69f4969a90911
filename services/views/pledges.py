"""Pledge and post pages, and the public branch page (no login). Access → form → action → redirect with a message."""

import copy

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Person
from branches.selectors import scope_for
from portal.web import apply_action, paginate, post_on
from services.actions import pledges as actions
from services.forms.pledges import (
    PledgeAppraiseForm,
    PledgeFilter,
    PledgeForm,
    PledgeItemForm,
    PledgeProgressForm,
    PledgeWithdrawForm,
    PostCheckForm,
    PostCreateForm,
    PostFilter,
    PostForm,
)
from services.models import Post
from services.selectors import pledges as selectors

# Pledges ----------------------------------------------------------------------------------------------------


@login_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    pledges = PledgeFilter(request.GET, queryset=selectors.pledge_list_for_user(user=request.user), user=request.user)
    page = paginate(request, pledges.qs)
    page.object_list = selectors.pledges_with_percent(page.object_list)
    scope = scope_for(request.user)
    context = {"filter": pledges, "page": page, "may_create": scope.manages_anything or bool(scope.person_id)}
    return render(request, "services/pledge_list.html", context)


@login_required
def pledge_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.manages_anything and not scope.person_id:
        raise Http404(_("页面不存在。"))
    own = None if scope.manages_anything else Person.objects.select_related("organisation").get(pk=scope.person_id)
    form = PledgeForm(request.POST or None, user=request.user, own=own)
    if request.method == "POST":
        pledge = apply_action(
            request,
            form,
            lambda data: actions.pledge_create(actor=request.user, **data),
            _("承诺已登记。"),
        )
        if pledge:
            return redirect(pledge)
    return render(request, "services/pledge_form.html", {"form": form, "own": own})


@login_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pk=pk)
    items = selectors.pledge_items(pledge=pledge)
    is_open = not pledge.is_withdrawn and not pledge.result
    can_record = is_open and selectors.pledge_can_record(user=request.user, pledge=pledge)
    can_appraise = is_open and selectors.pledge_can_appraise(user=request.user, pledge=pledge)
    context = {
        "pledge": pledge,
        "items": items,
        "percent": selectors.pledge_percent(items),
        "can_record": can_record,
        "can_appraise": can_appraise,
        # the appraisal is a year-end task: in December (or for a past year) it is shown open, at the top
        "appraisal_due": can_appraise and (timezone.localdate().month == 12 or pledge.year < timezone.localdate().year),
    }
    if can_record:
        context |= {
            "progress_form": PledgeProgressForm(pledge=pledge, items=items),
            "item_form": PledgeItemForm(),
            "withdraw_form": PledgeWithdrawForm(),
        }
    if can_appraise:
        context["appraise_form"] = PledgeAppraiseForm()
    return render(request, "services/pledge_detail.html", context)


@login_required
@require_POST
def pledge_progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pk=pk, need=selectors.RECORD)
    return post_on(
        request,
        pledge,
        lambda data: actions.pledge_progress_record(actor=request.user, **data),
        _("进展已登记。"),
        form=PledgeProgressForm(request.POST, pledge=pledge),
    )


@login_required
@require_POST
def pledge_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pk=pk, need=selectors.RECORD)
    return post_on(
        request,
        pledge,
        lambda data: actions.pledge_item_add(actor=request.user, pledge=pledge, **data),
        _("已添加承诺事项。"),
        form=PledgeItemForm(request.POST),
    )


@login_required
@require_POST
def pledge_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pk=pk, need=selectors.APPRAISE)
    return post_on(
        request,
        pledge,
        lambda data: actions.pledge_appraise(actor=request.user, pledge=pledge, **data),
        _("评议结果已登记，承诺已归档。"),
        form=PledgeAppraiseForm(request.POST),
    )


@login_required
@require_POST
def pledge_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get_for_user(user=request.user, pk=pk, need=selectors.RECORD)
    return post_on(
        request,
        pledge,
        lambda data: actions.pledge_withdraw(actor=request.user, pledge=pledge, **data),
        _("承诺已撤回。"),
        form=PledgeWithdrawForm(request.POST),
    )


# Posts ------------------------------------------------------------------------------------------------------


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    posts = PostFilter(request.GET, queryset=selectors.post_list_for_user(user=request.user), user=request.user)
    context = {
        "filter": posts,
        "page": paginate(request, posts.qs),
        "may_create": scope_for(request.user).manages_anything,
        "check_days": selectors.POST_CHECK_DAYS,
    }
    return render(request, "services/post_list.html", context)


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).manages_anything:
        raise Http404(_("页面不存在。"))  # setting posts is a staff tool: for a member it does not exist
    form = PostCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        post = apply_action(
            request, form, lambda data: actions.post_create(actor=request.user, **data), _("岗位已设立。")
        )
        if post:
            return redirect(post)
    return render(request, "services/post_form.html", {"form": form})


@login_required
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk, write=True)
    # The form validates a copy: the action compares against the untouched row for its audit diff.
    form = PostForm(request.POST or None, instance=copy.copy(post), user=request.user)
    if request.method == "POST":
        done = apply_action(
            request, form, lambda data: actions.post_update(actor=request.user, post=post, **data), _("已保存。")
        )
        if done:
            return redirect(post)
    return render(request, "services/post_form.html", {"form": form, "post": post})


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    can_write = post.is_active and selectors.post_can_write(user=request.user, post=post)
    context = {"post": post, "can_write": can_write, "check_days": selectors.POST_CHECK_DAYS}
    if can_write:
        context["check_form"] = PostCheckForm()
    return render(request, "services/post_detail.html", context)


@login_required
@require_POST
def post_check(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        post,
        lambda data: actions.post_check(actor=request.user, post=post, **data),
        _("检查情况已登记。"),
        form=PostCheckForm(request.POST),
    )


@login_required
@require_POST
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        post,
        lambda data: actions.post_end(actor=request.user, post=post),
        _("已撤岗。"),
    )


# The public branch page -------------------------------------------------------------------------------------


def public_branch(request: HttpRequest, org_pk: int) -> HttpResponse:
    """公开承诺 and the posts of a branch, for the masses: no login, names and the posts' public numbers only."""
    try:
        organisation = selectors.public_organisation(pk=org_pk)
    except Http404:  # the masses get a Chinese page, not the server's bare "Not Found"
        return render(request, "services/public_branch.html", {"missing": True}, status=404)
    year = timezone.localdate().year
    posts = list(selectors.public_posts(organisation=organisation))
    context = {
        "organisation": organisation,
        "year": year,
        "pledges": selectors.public_pledges(organisation=organisation, year=year),
        "post_groups": [(label, [p for p in posts if p.kind == kind]) for kind, label in Post.Kind.choices],
    }
    return render(request, "services/public_branch.html", context)


urlpatterns = [
    path("pledges/", pledge_list, name="pledge_list"),
    path("pledges/new/", pledge_create, name="pledge_create"),
    path("pledges/<int:pk>/", pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/progress/", pledge_progress_add, name="pledge_progress_add"),
    path("pledges/<int:pk>/items/", pledge_item_add, name="pledge_item_add"),
    path("pledges/<int:pk>/appraise/", pledge_appraise, name="pledge_appraise"),
    path("pledges/<int:pk>/withdraw/", pledge_withdraw, name="pledge_withdraw"),
    path("posts/", post_list, name="post_list"),
    path("posts/new/", post_create, name="post_create"),
    path("posts/<int:pk>/", post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", post_update, name="post_update"),
    path("posts/<int:pk>/check/", post_check, name="post_check"),
    path("posts/<int:pk>/end/", post_end, name="post_end"),
    path("public/<int:org_pk>/", public_branch, name="public_branch"),
]
