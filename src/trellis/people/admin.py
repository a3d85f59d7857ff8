from django.contrib import admin

from .models import Department, DirectoryImport, Language, Location, Person, Skill, SkillAlias


class SkillAliasInline(admin.TabularInline):
    model = SkillAlias
    extra = 1


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category"]
    search_fields = ["name", "aliases__alias"]
    inlines = [SkillAliasInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["employee_id", "first_name", "last_name", "email", "department", "is_active"]
    list_filter = ["is_active", "department", "location"]
    search_fields = ["employee_id", "email", "first_name", "last_name"]
    raw_id_fields = ["manager"]
    autocomplete_fields = ["skills", "languages"]
    list_select_related = ["department"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    search_fields = ["name"]


admin.site.register(Department)
admin.site.register(Location)


@admin.register(DirectoryImport)
class DirectoryImportAdmin(admin.ModelAdmin):
    """Read-only history of directory uploads (who, when, what it did)."""

    list_display = ["created_at", "uploaded_by", "file_name", "status", "applied_at"]
    list_filter = ["status"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
