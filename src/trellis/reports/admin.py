from django.contrib import admin

from .models import Outcome, OutcomeImport, ReportSettings


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "occurred_on", "new_title", "new_level"]
    list_filter = ["kind"]
    search_fields = ["person__employee_id", "person__email", "person__last_name"]
    date_hierarchy = "occurred_on"
    raw_id_fields = ["person", "source"]
    list_select_related = ["person"]


@admin.register(OutcomeImport)
class OutcomeImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "created_at", "applied_at", "uploaded_by"]
    list_filter = ["status"]
    readonly_fields = ["token", "summary", "applied_at", "status"]
    exclude = ["content"]


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "currency", "average_salary", "replacement_cost_share"]
    raw_id_fields = ["program"]
    filter_horizontal = ["leaders"]
