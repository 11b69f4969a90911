"""Forms for volunteer teams: they validate and convert; the actions persist. Choices follow the user's scope."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import DateInput, PersonChoiceField
from branches.selectors import organisation_choices_for_user, organisation_default_for_user, person_list_for_user
from portal.lib.search import TextSearchFilter
from portal.models import User
from volunteers.models import Skill, Team, TeamMembership
from volunteers.selectors import team_choices_for_user


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    level = forms.ChoiceField(label=_("层级"), choices=Team.Level.choices)
    organisation = forms.ModelChoiceField(label=_("所属党组织"), queryset=None)
    parent = forms.ModelChoiceField(
        label=_("上级服务队"), queryset=None, required=False, help_text=_("留空为独立的大队。")
    )
    description = forms.CharField(label=_("简介"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisation_choices_for_user(user=user)
        self.fields["organisation"].queryset = organisations
        default = None if self.is_bound else organisation_default_for_user(user=user, choices=organisations)
        if default is not None:
            self.initial.setdefault("organisation", default.pk)
        self.fields["parent"].queryset = team_choices_for_user(user=user).order_by("path")


class MemberAddForm(forms.Form):
    person = PersonChoiceField(label=_("人员"), queryset=None)
    role = forms.ChoiceField(
        label=_("队内职务"), choices=TeamMembership.Role.choices, initial=TeamMembership.Role.MEMBER
    )
    joined_on = forms.DateField(label=_("入队日期"), widget=DateInput())

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_list_for_user(user=user).filter(is_active_member=True).order_by("name")
        self.fields["joined_on"].initial = timezone.localdate()


class MemberAdmitForm(forms.Form):
    joined_on = forms.DateField(label=_("入队日期"), widget=DateInput())


class MemberLeaveForm(forms.Form):
    reason = forms.ChoiceField(label=_("离队原因"), choices=TeamMembership.LeaveReason.choices)
    left_on = forms.DateField(label=_("离队日期"), widget=DateInput())


class ReviewDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理"), choices=[("confirm", _("确认")), ("reject", _("不采纳"))])


class ReviewStartForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("不能为将来的年度生成梳理建议。"))
        return year


class PersonSkillsForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("技能"), queryset=Skill.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class TeamFilter(django_filters.FilterSet):
    """The team list's search box (the list is the user's teams in tree order, unpaginated)."""

    q = TextSearchFilter(fields=("name",), placeholder=_("服务队名称"))

    class Meta:
        model = Team
        fields = ["q"]
