from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Invitation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "person", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "person__first_name", "person__last_name"]
    raw_id_fields = ["person"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Directory and role", {"fields": ["person", "role", "is_active", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "role", "password1", "password2"]})]
    filter_horizontal: list[str] = []


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["person", "invited_by"]
