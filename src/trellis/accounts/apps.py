from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trellis.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
