from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from trama.accounts.selectors import programmes_for_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The programmes of the signed-in user, for the programme switcher (lazy: one query if used)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_programmes": programmes_for_user(user)}
