import pytest


@pytest.mark.django_db
def test_cast_builds_and_secretary_sees_person_list(cast, login):
    response = login(cast.secretary).get("/branches/people/")
    assert response.status_code == 200
    assert "甲党员" in response.content.decode()
    assert "乙党员" not in response.content.decode()
