from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "trellis.matches"
    label = "matches"
    verbose_name = "Matching"
