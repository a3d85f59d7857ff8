from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "trellis.mentorships"
    label = "mentorships"
    verbose_name = "Mentorships"
