from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "trellis.enrolment"
    label = "enrolment"
    verbose_name = "Enrolment"
