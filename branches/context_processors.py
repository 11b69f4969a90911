from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from branches.selectors import scope_for
from portal.selectors import notification_unread_count


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: whether the user manages anything (staff menus) or only themselves. In
    branches, not portal, because the answer is the user's scope (portal imports no domain app)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: counted only when a page draws the navigation (one indexed query), never for JSON or files.
    unread = SimpleLazyObject(lambda: notification_unread_count(user=user))
    return {"nav_scope": scope_for(user), "nav_unread": unread}
