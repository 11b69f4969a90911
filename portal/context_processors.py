from django.http import HttpRequest

from branches.selectors import scope_for


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: whether the user manages anything (staff menus) or only themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_scope": scope_for(user)}
