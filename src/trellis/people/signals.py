"""Signals other apps listen to, so the directory never imports them (accounts, later SCIM)."""

from django.dispatch import Signal

# Sent inside the writing transaction when people leave or come back:
# kwargs person_ids (list[int]) and is_active (bool).
people_activation_changed = Signal()
