"""Text typed by the public, made safe to store and show again."""

import unicodedata

# Kept: line breaks and tabs a comment may hold. Dropped: every other control character (category Cc — NUL, ESC,
# backspace, the C1 range) and the bidirectional overrides and isolates that make a name read backwards in a list.
_KEPT = {"\n", "\t"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def printable(value: str | None) -> str:
    """`value` without control characters; `\\r\\n` and a lone `\\r` become `\\n`."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char for char in value if char in _KEPT or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS)
    )
