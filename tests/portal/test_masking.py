from branches.models import Person
from portal.lib.masking import mask_phone


def test_a_phone_keeps_its_first_three_and_last_four_digits_only_when_long_enough():
    assert mask_phone("13812341234") == "138****1234"
    # A 7-digit landline would show whole as 3 + 4: hidden whole, in every list that masks (people, demands,
    # households) alike.
    assert mask_phone("8888888") == mask_phone("88") == "****"
    assert mask_phone("") == ""
    assert Person(phone="6612345").phone_masked == "****"
