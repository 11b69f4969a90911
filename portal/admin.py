"""Accounts and the audit log in the admin: 组织部 only."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from portal import actions
from portal.models import AuditEvent, User
from portal.selectors import user_sees_everything


class OrgDepartmentOnly:
    def has_module_permission(self, request) -> bool:
        return user_sees_everything(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(User)
class UserAdmin(OrgDepartmentOnly, DjangoUserAdmin):
    list_display = ["username", "first_name", "phone", "is_active", "is_staff", "is_org_department", "last_login"]
    list_filter = ["is_active", "is_staff", "is_org_department"]
    search_fields = ["username", "first_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "phone", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_org_department", "groups")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["is_active", "last_login", "date_joined"]
    actions = ["deactivate"]

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accounts are deactivated, never deleted: the audit log points at them

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "person" and request.GET.get("field_name") == "user":
            # The person form's autocomplete: only accounts that are active and linked to nobody.
            queryset = queryset.filter(is_active=True, person__isnull=True)
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change) -> None:
        actions.user_save_from_admin(actor=request.user, user=obj, form=form, change=change)

    @admin.action(description="停用所选账号（立即结束其会话）")
    def deactivate(self, request, queryset) -> None:
        for user in queryset:
            try:
                actions.user_deactivate(actor=request.user, user=user)
            except ValidationError as error:
                messages.error(request, f"{user}：{'；'.join(error.messages)}")


@admin.register(AuditEvent)
class AuditEventAdmin(OrgDepartmentOnly, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
