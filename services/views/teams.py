"""Volunteer team pages: the team tree, a team with its members, hours and activities, the yearly review
(队伍梳理) and skills. Access → form → action → redirect with a message (POST-redirect-GET)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.selectors import person_get_for_user, scope_for
from portal.web import apply_action, form_errors_to_messages, post_on
from services import actions, selectors
from services.forms.teams import (
    MemberAddForm,
    MemberAdmitForm,
    MemberLeaveForm,
    PersonSkillsForm,
    ReviewDecideForm,
    ReviewStartForm,
    TeamCreateForm,
    TeamFilter,
)
from volunteers import actions as team_actions
from volunteers import selectors as team_selectors
from volunteers.models import TeamMembership


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = TeamFilter(request.GET, queryset=team_selectors.team_list_for_user(user=request.user))
    scope = scope_for(request.user)
    context = {
        "filter": teams,
        "teams": teams.qs,
        "open_teams": team_selectors.teams_open_to_user(user=request.user),
        "my_teams": team_selectors.current_team_ids_of(person_id=scope.person_id),
        "can_create": scope.manages_anything,
    }
    return render(request, "services/team_list.html", context)


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    team_selectors.team_create_check(user=request.user)
    form = TeamCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        team = apply_action(
            request, form, lambda data: team_actions.team_create(actor=request.user, **data), _("已新建服务队。")
        )
        if team:
            return redirect(team)
    return render(request, "services/team_form.html", {"form": form})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk)
    context = selectors.team_page(user=request.user, team=team)
    if team_selectors.team_can_write(user=request.user, team=team):
        today = timezone.localdate()
        context |= {
            "can_write": True,
            "add_form": MemberAddForm(user=request.user),
            "today": today,
            "leave_reasons": TeamMembership.LeaveReason.choices,
        }
    return render(request, "services/team_detail.html", context)


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        team,
        lambda data: team_actions.membership_add(actor=request.user, team=team, **data),
        _("已添加队员。"),
        form=MemberAddForm(request.POST, user=request.user),
    )


@login_required
@require_POST
def team_member_admit(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk, write=True)

    def admit(data: dict) -> TeamMembership:
        membership = team_selectors.team_membership_get(team=team, pk=membership_pk)
        if membership.state != TeamMembership.State.PENDING:
            raise ValidationError(_("该申请已处理。"))
        return team_actions.membership_add(
            actor=request.user, team=team, person=membership.person, joined_on=data["joined_on"]
        )

    return post_on(request, team, admit, _("已吸收入队。"), form=MemberAdmitForm(request.POST))


@login_required
@require_POST
def team_member_leave(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk, write=True)
    return post_on(
        request,
        team,
        lambda data: team_actions.membership_leave(
            actor=request.user,
            membership=team_selectors.team_membership_get(team=team, pk=membership_pk),
            left_on=data["left_on"],
            reason=data["reason"],
        ),
        _("已办理离队。"),
        form=MemberLeaveForm(request.POST),
    )


@login_required
@require_POST
def team_apply(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_open_get_for_user(user=request.user, pk=pk)
    person_id = scope_for(request.user).person_id
    if person_id is None:
        messages.error(request, _("您的账号未关联人员档案，不能申请入队。"))
        return redirect("services:team_list")
    person = person_get_for_user(user=request.user, pk=person_id)
    try:
        team_actions.membership_apply(actor=request.user, team=team, person=person)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已提交入队申请，请等待队长审核。"))
    return redirect("services:team_list")


# The yearly review (队伍梳理) ----------------------------------------------------------------------------------


@login_required
def team_review(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk, write=True)
    year = timezone.localdate().year
    if request.GET.get("year"):
        form = ReviewStartForm({"year": request.GET["year"]})
        if form.is_valid():
            year = form.cleaned_data["year"]
        else:
            messages.error(request, _("年度无效，已显示本年度。"))
    context = {
        "team": team,
        "year": year,
        "years": sorted({year, *team_selectors.review_years(team=team)}, reverse=True),
        "proposals": team_selectors.review_proposals_for_team(team=team, year=year),
    }
    return render(request, "services/team_review.html", context)


@login_required
@require_POST
def team_review_start(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_selectors.team_get_for_user(user=request.user, pk=pk, write=True)
    form = ReviewStartForm(request.POST)
    result = apply_action(
        request,
        form,
        lambda data: actions.team_review_run(actor=request.user, year=data["year"], teams=[team]),
        _("已生成梳理建议。"),
    )
    if not result:
        form_errors_to_messages(request, form)
        return redirect("services:team_review", pk=team.pk)
    return redirect(f"{reverse('services:team_review', args=[team.pk])}?year={form.cleaned_data['year']}")


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = team_selectors.review_proposal_get_for_user(user=request.user, pk=pk, write=True)
    form = ReviewDecideForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    if not apply_action(
        request,
        form,
        lambda data: team_actions.review_proposal_decide(actor=request.user, proposal=proposal, confirm=confirm),
        _("已确认。") if confirm else _("已记录为不采纳。"),
    ):
        form_errors_to_messages(request, form)
    return redirect(f"{reverse('services:team_review', args=[proposal.team_id])}?year={proposal.year}")


# Skills -----------------------------------------------------------------------------------------------------


@login_required
def person_skills(request: HttpRequest, person_pk: int) -> HttpResponse:
    own = person_pk == scope_for(request.user).person_id
    person = person_get_for_user(user=request.user, pk=person_pk, write=not own)
    # Not `request.POST or None`: unticking every box posts no field at all, and that must clear the skills.
    data = request.POST if request.method == "POST" else None
    form = PersonSkillsForm(data, initial={"skills": team_selectors.skills_of(person=person)})
    if request.method == "POST" and apply_action(
        request,
        form,
        lambda data: team_actions.person_skills_set(actor=request.user, person=person, skills=list(data["skills"])),
        _("已保存技能。"),
    ):
        return redirect("services:person_skills", person_pk=person.pk)
    return render(request, "services/team_skills.html", {"form": form, "person": person})


urlpatterns = [
    path("teams/", team_list, name="team_list"),
    path("teams/new/", team_create, name="team_create"),
    path("teams/<int:pk>/", team_detail, name="team_detail"),
    path("teams/<int:pk>/apply/", team_apply, name="team_apply"),
    path("teams/<int:pk>/members/add/", team_member_add, name="team_member_add"),
    path("teams/<int:pk>/members/<int:membership_pk>/admit/", team_member_admit, name="team_member_admit"),
    path("teams/<int:pk>/members/<int:membership_pk>/leave/", team_member_leave, name="team_member_leave"),
    path("teams/<int:pk>/review/", team_review, name="team_review"),
    path("teams/<int:pk>/review/start/", team_review_start, name="team_review_start"),
    path("teams/review/<int:pk>/decide/", review_decide, name="review_decide"),
    path("teams/skills/<int:person_pk>/", person_skills, name="person_skills"),
]
