"""Short link codes: a round trip works; anything altered, of another kind, or garbage reads as None."""

import pytest

from portal.lib import shortlinks

KEY = "a-test-key"


@pytest.mark.parametrize("pk", [1, 35, 36, 42, 1_000_000, 2**40])
def test_round_trip(pk):
    code = shortlinks.make("rate", pk, KEY)
    assert shortlinks.read("rate", code, KEY) == pk
    number, signature = code.split("-")
    assert int(number, 36) == pk and len(signature) == 10
    assert code == code.lower() and all(c.isalnum() or c == "-" for c in code)  # URL-safe as it stands


def test_codes_are_read_case_insensitively():
    code = shortlinks.make("rate", 42, KEY)
    assert shortlinks.read("rate", code.upper(), KEY) == 42


def test_every_changed_character_is_refused():
    code = shortlinks.make("rate", 4242, KEY)
    for position, char in enumerate(code):
        if char == "-":
            continue
        for other in "0a7z2":
            if other != char:
                altered = code[:position] + other + code[position + 1 :]
                assert shortlinks.read("rate", altered, KEY) is None, altered


def test_another_kind_or_key_is_refused():
    code = shortlinks.make("rate", 42, KEY)
    assert shortlinks.read("q", code, KEY) is None
    assert shortlinks.read("rate", code, "another-key") is None
    assert shortlinks.make("q", 42, KEY) != code


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "-",
        "16",
        "16-",
        "-abcdefghij",
        "16-abc",
        "16-abcdefghijk",
        "016-abcdefghij",
        "0-abcdefghij",
        "16_abcdefghij",
        "../etc/passwd",
        "16-abcdefgh!j",
        "z" * 200 + "-abcdefghij",
        None,
        42,
    ],
)
def test_garbage_is_refused(garbage):
    assert shortlinks.read("rate", garbage, KEY) is None


def test_leading_zero_variant_of_a_genuine_code_is_refused():
    code = shortlinks.make("rate", 42, KEY)
    assert shortlinks.read("rate", "0" + code, KEY) is None


def test_make_refuses_non_positive_keys():
    with pytest.raises(ValueError):
        shortlinks.make("rate", 0, KEY)
