import pytest

from volunteers import actions
from volunteers.selectors import team_choices_for_user


@pytest.mark.django_db
def test_team_choices_cover_the_scope_for_every_role(cast):
    team_a = actions.team_create(actor=None, name="甲支部服务队", level="brigade", organisation=cast.branch_a)
    team_b = actions.team_create(actor=None, name="乙支部服务队", level="brigade", organisation=cast.branch_b)
    # 组织部's scope is "everything": OR-ed with the led teams it must still be everything (it once collapsed).
    assert set(team_choices_for_user(user=cast.orgadmin)) == {team_a, team_b}
    assert set(team_choices_for_user(user=cast.committee)) == {team_a, team_b}
    assert set(team_choices_for_user(user=cast.secretary)) == {team_a}
    assert set(team_choices_for_user(user=cast.member)) == set()
