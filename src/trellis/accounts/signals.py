"""Keep sign-in in step with the directory: someone who has left cannot sign in."""

from django.dispatch import receiver

from trellis.people.signals import people_activation_changed

from .models import User


@receiver(people_activation_changed)
def sync_account_activation(sender, person_ids, is_active, **kwargs):
    User.objects.filter(person_id__in=person_ids).update(is_active=is_active)
