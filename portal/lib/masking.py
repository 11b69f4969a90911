"""Masking personal data for those who may know that a record exists but not its details."""


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234. A number too short to keep a part of (a 7-digit landline would show whole) is
    hidden whole."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else "****"
