"""The dashboard shows distinct infringements beside URLs: a variant group counts once."""

import pytest

from casework import variants
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_a_group_once(app, manager, netflix, squid_game, seedance, warner):
    copies = [
        ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
        for _ in range(4)
    ]
    other = [
        ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
        for _ in range(2)
    ]
    variants.apply_pairs(netflix.pk, [(copies[0].pk, c.pk) for c in copies[1:]])
    variants.apply_pairs(netflix.pk, [(other[0].pk, other[1].pk)])
    ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance)
    theirs = [ItemFactory(rights_holder=warner) for _ in range(2)]
    variants.apply_pairs(warner.pk, [(theirs[0].pk, theirs[1].pk)])

    page = app.get("/dashboard/", user=manager)
    assert page.html.select_one("#kpi-items").text == "7"
    assert page.html.select_one("#kpi-distinct").text == "3"  # 4 copies, 2 copies, 1 alone
