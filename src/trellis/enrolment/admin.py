"""Raw data access for organisation admins. Status changes go through the program pages, which
keep the waitlist right; here statuses are read-only."""

from django.contrib import admin

from .models import Participant, ProgramInvitation


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["person", "program", "role", "status", "capacity", "applied_at"]
    list_filter = ["status", "role", "program"]
    search_fields = ["person__first_name", "person__last_name", "person__email", "program__name"]
    list_select_related = ["person", "program"]
    raw_id_fields = ["person", "program", "decided_by"]
    readonly_fields = ["status", "applied_at", "decided_at", "decided_by", "withdrawn_at"]
    date_hierarchy = "applied_at"


@admin.register(ProgramInvitation)
class ProgramInvitationAdmin(admin.ModelAdmin):
    list_display = ["person", "program", "role", "invited_at", "reminder_count"]
    list_filter = ["program", "role"]
    search_fields = ["person__first_name", "person__last_name", "person__email"]
    list_select_related = ["person", "program"]
    raw_id_fields = ["person", "program", "invited_by"]
