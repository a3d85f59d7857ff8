"""Raw data administration for programs and templates (organisation admins only)."""

from django.contrib import admin

from .models import KeyResult, Objective, Program, ProgramTemplate, Question


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "is_builtin", "created_by", "updated_at"]
    list_filter = ["is_builtin"]
    search_fields = ["name", "key"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["created_by"]

    def get_readonly_fields(self, request, obj=None):
        # Built-in templates are rewritten from their files on every migrate: edit the file.
        if obj is not None and obj.is_builtin:
            return [*self.readonly_fields, "key", "name", "summary", "definition", "is_builtin"]
        return self.readonly_fields


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "role", "kind", "label", "is_required", "criterion", "is_private"]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "format", "model", "created_at"]
    list_filter = ["status", "format", "model"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["template", "created_by"]
    filter_horizontal = ["managers", "eligible_departments", "eligible_locations"]
    inlines = [QuestionInline, ObjectiveInline]


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    extra = 0
    fields = ["position", "title", "metric", "target", "unit", "deadline", "manual_value"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "position"]
    search_fields = ["title", "program__name"]
    list_select_related = ["program"]
    inlines = [KeyResultInline]
