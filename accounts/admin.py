from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import PartnerUser, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        field_classes = {}


class PartnerUserInline(admin.StackedInline):
    """The account's 7digital partner user: read only, written by the service."""

    model = PartnerUser
    can_delete = False
    extra = 0
    max_num = 0
    fields = readonly_fields = (
        "partner_user_id",
        "state",
        "country",
        "attempts",
        "last_error",
        "last_attempt_at",
        "linked_at",
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, keyed on email since the model has no username."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "country")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = (PartnerUserInline,)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "link_state")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "partner_user__state")
    list_select_related = ("partner_user",)
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)

    def get_inline_instances(self, request, obj=None):
        # A new account has no partner user yet: it is made once the account is saved.
        return super().get_inline_instances(request, obj) if obj is not None else []

    @admin.display(description=_("7digital link"), ordering="partner_user__state")
    def link_state(self, user: User) -> str:
        partner_user = getattr(user, "partner_user", None)
        return partner_user.get_state_display() if partner_user else "—"


@admin.register(PartnerUser)
class PartnerUserAdmin(admin.ModelAdmin):
    """Each account's link to 7digital: pending, linked, or failed with the reason."""

    list_display = ("user", "partner_user_id", "state", "attempts", "last_attempt_at", "last_error")
    list_filter = ("state",)
    search_fields = ("user__email", "partner_user_id")
    list_select_related = ("user",)
    ordering = ("-created_at",)
    actions = ("retry_link",)
    readonly_fields = (
        "user",
        "partner_user_id",
        "country",
        "state",
        "attempts",
        "last_error",
        "last_attempt_at",
        "linked_at",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False  # made with the account, never by hand

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # purchases at 7digital hang off the id

    @admin.action(description=_("Retry creating at 7digital"), permissions=["change"])
    def retry_link(self, request, queryset) -> None:
        queued = services.partner_user_retry(partner_users=queryset)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            f"Queued {queued} to be created at 7digital again"
            + (f"; {skipped} already linked." if skipped else "."),
            messages.SUCCESS,
        )
