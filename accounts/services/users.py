"""A person's own profile: name and preferred language."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_update_profile(*, user: User, **changes: str) -> User:
    """Change the user's full_name and/or language (blank: the tenant's default applies)."""
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes) or None)
    return user
