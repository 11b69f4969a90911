"""Forms for pledges and posts: validate and convert, never persist. Choices follow the user's scope."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import PersonChoiceField
from branches.models import MEMBER_STATUSES, Organisation, Person
from branches.selectors import organisation_choices_for_user, organisation_default_for_user, person_list_for_user
from portal.lib.choices import NameChoiceFilter
from portal.lib.search import TextSearchFilter
from portal.models import User
from services.actions.pledges import phone_check
from services.forms.activities import DateInput
from services.models import Pledge, PledgeItem, Post
from services.selectors.pledges import due_check_q, pledge_years

ITEM_ROWS = 5
UNAPPRAISED = "none"


def _party_members(user: User) -> QuerySet[Person]:
    return (
        person_list_for_user(user=user)
        .filter(is_active_member=True, political_status__in=MEMBER_STATUSES)
        .order_by("organisation__path", "name")
    )


# Pledges ----------------------------------------------------------------------------------------------------


class PledgeItemForm(forms.Form):
    content = forms.CharField(label=_("承诺事项"), max_length=200)
    target = forms.DecimalField(
        label=_("目标"), min_value=0.1, max_digits=8, decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.1"})
    )
    unit = forms.CharField(label=_("单位"), max_length=10, help_text=_("如 次、户、小时"))


# Up to five rows; a blank row is skipped (Django leaves unchanged extra forms unvalidated).
PledgeItemFormSet = forms.formset_factory(PledgeItemForm, extra=ITEM_ROWS, max_num=ITEM_ROWS, absolute_max=ITEM_ROWS)


class PledgeForm(forms.Form):
    """A new pledge and its items (a formset owned by the form, so `apply_action` sees one form).

    A secretary chooses the organisation and, for a member's pledge, the member; a member pledging for themself
    sees neither: the view passes their own person, and the year is the current one."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    organisation = forms.ModelChoiceField(label=_("党组织"), queryset=Organisation.objects.none())
    person = PersonChoiceField(
        label=_("承诺党员"), queryset=Person.objects.none(), required=False, help_text=_("留空为党组织承诺")
    )
    title = forms.CharField(label=_("承诺标题"), max_length=120)

    def __init__(self, data=None, *, user: User, own: Person | None = None) -> None:
        super().__init__(data)
        self.own = own
        self.items = PledgeItemFormSet(data, prefix="items")
        this_year = timezone.localdate().year
        if own is not None:  # a member pledging for themself
            for name in ("year", "organisation", "person"):
                del self.fields[name]
            return
        self.fields["year"].choices = [(y, f"{y}") for y in (this_year + 1, this_year, this_year - 1)]
        self.fields["year"].initial = this_year
        organisations = organisation_choices_for_user(user=user)
        self.fields["organisation"].queryset = organisations
        self.fields["person"].queryset = _party_members(user).select_related("organisation")
        default = organisation_default_for_user(user=user, choices=organisations)
        if default is not None:
            self.fields["organisation"].initial = default.pk

    def clean(self) -> dict:
        data = super().clean()
        if not self.items.is_valid():
            raise ValidationError(_("请检查承诺事项：每项都要写明内容、目标（大于 0）和单位。"))
        data["items"] = [row for row in self.items.cleaned_data if row]
        if not data["items"]:
            raise ValidationError(_("请至少填写一项承诺事项。"))
        if self.own is not None:
            data |= {"year": timezone.localdate().year, "organisation": self.own.organisation, "person": self.own}
            return data
        person, organisation = data.get("person"), data.get("organisation")
        if person and organisation and person.organisation_id != organisation.pk:
            self.add_error("person", _("该党员不属于所选党组织。"))
        return data


class PledgeProgressForm(forms.Form):
    item = forms.ModelChoiceField(label=_("承诺事项"), queryset=PledgeItem.objects.none(), empty_label=None)
    date = forms.DateField(label=_("日期"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("完成量"),
        min_value=0.1,
        max_digits=8,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, pledge: Pledge, items: list[PledgeItem] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = pledge.items.order_by("pk")
        if items is not None:  # the page already has them: no query for the choices
            self.fields["item"].choices = [(item.pk, f"{item.content}（{item.unit}）") for item in items]
        self.fields["date"].initial = timezone.localdate()


class PledgeAppraiseForm(forms.Form):
    leader_comment = forms.CharField(label=_("党组织评价"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    mutual_rating = forms.ChoiceField(label=_("党员互评"), choices=Pledge.Rating.choices)
    mass_rating = forms.ChoiceField(label=_("群众评议"), choices=Pledge.Rating.choices)
    result = forms.ChoiceField(label=_("践诺结果"), choices=Pledge.Result.choices)


class PledgeWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)


class PledgeFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("title", "person__name"), placeholder=_("承诺标题或党员姓名"))
    year = django_filters.ChoiceFilter(label=_("年度"), empty_label=_("全部年度"))
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    result = django_filters.ChoiceFilter(
        label=_("践诺结果"), choices=[(UNAPPRAISED, _("未评议")), *Pledge.Result.choices], method="with_result"
    )

    class Meta:
        model = Pledge
        fields = ["q", "year", "organisation", "result"]

    def __init__(self, data=None, *args, user: User, **kwargs) -> None:
        data = data.copy() if data is not None else None
        if data is not None and "year" not in data:
            data["year"] = str(timezone.localdate().year)  # the current year unless another is asked for
        super().__init__(data, *args, **kwargs)
        self.filters["year"].extra["choices"] = [(y, f"{y}") for y in pledge_years()]
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user)

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def with_result(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == UNAPPRAISED:
            return queryset.filter(result="", is_withdrawn=False)
        return queryset.filter(result=value)


# Posts ------------------------------------------------------------------------------------------------------


class PostForm(forms.ModelForm):
    """Edits a post (the fields `post_update` accepts). Validates a copy, never saves."""

    class Meta:
        model = Post
        fields = ["kind", "title", "duties", "service_content", "contact", "supervision_phone"]
        widgets = {
            "duties": forms.Textarea(attrs={"rows": 3}),
            "service_content": forms.Textarea(attrs={"rows": 3}),
            "contact": forms.TextInput(attrs={"inputmode": "tel"}),
            "supervision_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].help_text = _("公开在支部公开页上，请填写岗位的联系电话")

    def clean_contact(self) -> str:
        return phone_check(self.cleaned_data["contact"], "联系电话")

    def clean_supervision_phone(self) -> str:
        return phone_check(self.cleaned_data["supervision_phone"], "监督电话")


class PostCreateForm(PostForm):
    person = PersonChoiceField(label=_("党员"), queryset=Person.objects.none())

    class Meta(PostForm.Meta):
        fields = ["kind", "person", "title", "duties", "service_content", "contact", "supervision_phone"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["person"].queryset = _party_members(user).select_related("organisation")


class PostCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("检查日期"), widget=DateInput())
    note = forms.CharField(label=_("检查情况"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()


class PostFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Post.Kind.choices)
    organisation = NameChoiceFilter(label=_("党组织"), queryset=Organisation.objects.none(), method="in_subtree")
    due = django_filters.BooleanFilter(label=_("只看待检查"), method="only_due", widget=forms.CheckboxInput)
    active = django_filters.BooleanFilter(field_name="is_active", label=_("在岗"))

    class Meta:
        model = Post
        fields = ["kind", "organisation", "due", "active"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisation_choices_for_user(user=user)

    def in_subtree(self, queryset: QuerySet, name: str, value: Organisation) -> QuerySet:
        return queryset.filter(organisation__path__startswith=value.path)

    def only_due(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(due_check_q()) if value else queryset
