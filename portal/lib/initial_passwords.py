"""One-time initial passwords (初始密码) for accounts opened in bulk. ORM-free.

A district opens tens of thousands of accounts at once, and each initial secret lives at most a couple of weeks
and only until its first use, so it is not hashed with the slow password hasher (PBKDF2 at ~1,000,000
iterations would cost a core hours for 70,000 accounts). It is stored as HMAC-SHA256 under a server-side key with
a random per-account salt: without the key the stored value reveals nothing, and the salt makes equal secrets
look different. The real password the member then chooses is hashed normally.
"""

import hashlib
import hmac
import secrets

# No 0/o, 1/l/i: the secret is read off a printed slip and typed on a phone.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 8


def generate() -> str:
    """A new random secret, e.g. `k7m2x9qa` (31^8 ≈ 8.5·10^11 possibilities; logins are also rate-limited)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _mac(secret: str, salt: str, key: str) -> str:
    return hmac.new(key.encode(), f"{salt}${secret}".encode(), hashlib.sha256).hexdigest()


def digest(secret: str, *, key: str) -> str:
    """The stored form: `salt$hmac` (49 characters)."""
    salt = secrets.token_hex(8)
    return f"{salt}${_mac(secret, salt, key)}"


def matches(secret: str, stored: str, *, key: str) -> bool:
    """Whether `secret` is the one `stored` was made from (constant-time comparison)."""
    salt, _, mac = (stored or "").partition("$")
    if not salt or not mac or not secret:
        return False
    return hmac.compare_digest(_mac(secret.strip().lower(), salt, key), mac)
