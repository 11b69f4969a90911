"""Public text without control characters (portal.lib.text.printable)."""

import pytest

from portal.lib.text import printable


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("路灯\x00坏了", "路灯坏了"),
        ("\x1b[31m红字\x1b[0m", "[31m红字[0m"),
        ("退格\x08\x7f与\x85C1", "退格与C1"),
        ("名字\u202e反向\u2066隔离\u2069", "名字反向隔离"),
        ("第一行\r\n第二行\r第三行\t完", "第一行\n第二行\n第三行\t完"),
        ("普通文字 ABC 123，。！", "普通文字 ABC 123，。！"),
        (None, ""),
    ],
)
def test_printable_drops_control_characters_and_keeps_the_rest(typed, kept):
    assert printable(typed) == kept
