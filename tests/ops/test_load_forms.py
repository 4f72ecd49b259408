"""The load test (tests/load/locustfile.py) reads the pages' forms as they render: the
forms and choices it relies on are there, so `make loadtest` fails here first when a
template changes under it."""

import pytest
from django.urls import reverse

from tests.load.pageforms import option_values, parse

pytestmark = pytest.mark.django_db


def test_the_forms_the_load_test_submits_render_with_their_choices(
    app, legal, manager, doll, seedance
):
    login, _ = parse(app.get(reverse("login")).text)
    assert {"username", "password", "csrfmiddlewaretoken"} <= set(login["login"].data())

    new_item, _ = parse(app.get(reverse("casework:item-create"), user=legal).text)
    form = new_item["item"]
    assert form.fields["csrfmiddlewaretoken"]
    assert str(doll.franchise_id) in form.options["franchise"]
    assert str(seedance.pk) in form.options["platform"]
    for name in ("content_kind", "conduct", "theory"):
        assert form.options[name], name
    fragment = app.get(
        reverse("casework:element-options"), {"franchise": doll.franchise_id}, user=legal
    )
    assert option_values(fragment.text) == [str(doll.pk)]

    filters, _ = parse(app.get(reverse("casework:item-list"), user=legal).text)
    assert "q" in filters["item-filters"].fields

    dashboard, _ = parse(app.get(reverse("dashboard:index"), user=manager).text)
    assert dashboard["report-create"].fields["csrfmiddlewaretoken"]
