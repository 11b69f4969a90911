"""Login by username or phone number, no open sign-up, one lockout counter per account."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from portal.lib import initial_passwords
from portal.models import User


def user_for_login(login: str) -> User | None:
    """The active or inactive account a login name (username or phone) refers to, if any."""
    login = (login or "").strip()
    if not login:
        return None
    return get_user_model().objects.filter(Q(username__iexact=login) | Q(phone=login)).first()


def initial_password_valid(user: User, password: str) -> bool:
    """The account's one-time initial password (开通单), before it expires."""
    if not user.initial_password or user.initial_password_expires_at is None:
        return False
    if user.initial_password_expires_at <= timezone.now():
        return False
    return initial_passwords.matches(password, user.initial_password, key=settings.INITIAL_PASSWORD_KEY)


class PhoneOrUsernameBackend(ModelBackend):
    """Accepts a phone number where the username goes, and an unexpired initial password where the password goes
    (the real password is unusable meanwhile). Inactive users are refused (and lose their sessions:
    ModelBackend.get_user returns None for them, so the next request is anonymous)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        user = user_for_login(username or "")
        if user is None or password is None:
            return None
        if not self.user_can_authenticate(user):
            return None
        if user.check_password(password) or initial_password_valid(user, password):
            return user
        return None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # accounts come from staff or from a roster import

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the failed-login limit on the typed login; the same account reached by username and by
        # phone must share one counter, or an attacker gets twice the tries.
        login = credentials.get("username", "")
        user = user_for_login(login)
        return f"user:{user.pk}" if user is not None else f"login:{login.strip().lower()}"
