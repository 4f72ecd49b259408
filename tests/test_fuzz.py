"""No 500 from any input.

Every role of the demo case (legal staff, manager and viewer of Netflix, and
Warner's legal staff) crawls the app from its home page the way a person
would: following links and reading the forms each page renders. Hypothesis
then sends hostile values (huge and tiny dates, negative and huge numbers,
unicode, overlong strings, wrong types, repeated keys) in the query strings of
the pages found and in the fields of the forms found; and every URL pattern of
the URLconf that takes an id is asked for ids no row has. No answer may be a
5xx. Django's test client re-raises a view's exception, so a failure shows
its traceback and Hypothesis's smallest example.
"""

import re
from datetime import date
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework.confirm import FIELD as CONFIRMED
from tests.crawl import GENERIC_KEYS, crawl, id_routes

pytestmark = pytest.mark.django_db

ROLES = ["netflix-legal", "netflix-manager", "netflix-viewer", "wb-legal"]
FORM_ENCODED = "application/x-www-form-urlencoded"

SPECIAL = [
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "-1",
    "0",
    "99999999999999999999",
    "-9223372036854775809",
    "1e308",
    "NaN",
    "true",
    "[]",
    "null",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "\\\\evil.example",
    "\x00",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x" * 5000,
    "",
    " ",
    "\u202e\ufeff\U0001f600",
]
# The sweep sends each of these in every field; Hypothesis mixes all of SPECIAL.
SWEEP = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "-1",
    "99999999999999999999",
    "true",
    "[]",
    "//evil.example/",
    "\x00",
    "x" * 5000,
    "",
    "\u202e\ufeff\U0001f600",
]
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.text(max_size=40),
)


@pytest.fixture
def site(db):
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.in_bulk(ROLES, field_name="username")
    found = {}
    for role in ROLES:
        client = Client()
        client.force_login(users[role])
        pages, forms = crawl(client)
        found[role] = (client, pages, forms)
    return found


FUZZ = hypothesis_settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure reproduces here
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_the_crawl_reaches_the_pages_and_forms_of_every_role(site):
    """The fuzz below is only as good as what the crawl found."""
    legal_pages = {path for path, _ in site["netflix-legal"][1]}
    assert {"/items/", "/demands/"} <= legal_pages
    assert len(legal_pages) >= 15
    assert len(site["netflix-legal"][2]) >= 5, "legal staff see forms that post"
    assert any("dashboard" in path for path, _ in site["netflix-manager"][1])


def test_every_page_and_form_takes_every_special_value_in_every_field(site):
    """A sweep, not a sample: each special value in all of a page's or form's fields at once."""
    for role in ROLES:
        client, pages, forms = site[role]
        for value in SWEEP:
            for path, names in pages:
                response = client.get(f"{path}?{urlencode([(n, value) for n in names])}")
                assert response.status_code < 500, (role, path, value)
            for action, fields in forms:
                # Confirmed, as the dialog would: the hostile value reaches the action
                # itself, not only the page that asks first.
                pairs = [(n, value) for n in fields or GENERIC_KEYS if n != CONFIRMED]
                body = urlencode([*pairs, (CONFIRMED, "yes")])
                response = client.post(action, body, content_type=FORM_ENCODED)
                assert response.status_code < 500, (role, action, value)


@FUZZ
@given(data=st.data())
def test_hostile_query_strings_never_answer_5xx(site, data):
    role = data.draw(st.sampled_from(ROLES), label="role")
    client, pages, _ = site[role]
    path, names = data.draw(st.sampled_from(pages), label="page")
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(names), HOSTILE), min_size=1, max_size=6),
        label="query",
    )
    response = client.get(f"{path}?{urlencode(pairs)}")
    assert response.status_code < 500


@FUZZ
@given(data=st.data())
def test_hostile_form_fields_never_answer_5xx(site, data):
    role = data.draw(st.sampled_from(ROLES), label="role")
    client, _, forms = site[role]
    if not forms:
        return
    action, fields = data.draw(st.sampled_from(forms), label="form")
    names = fields or GENERIC_KEYS
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(names), HOSTILE), min_size=0, max_size=8),
        label="fields",
    )
    confirmed = data.draw(st.booleans(), label="confirmed")
    body = urlencode([*pairs, (CONFIRMED, "yes")] if confirmed else pairs)
    response = client.post(action, body, content_type=FORM_ENCODED)
    assert response.status_code < 500


HOSTILE_IDS = [0, 2**31, 2**63 - 1, 2**63, 10**30]


def test_every_url_with_an_id_answers_unknown_ids_without_5xx(site):
    routes = id_routes()
    assert len(routes) >= 15, "the URLconf's id-taking routes were found"
    for role in ROLES:
        client = site[role][0]
        for route, converters in routes:
            for value in HOSTILE_IDS:
                path = "/" + route
                for name, converter in converters.items():
                    token = str(value) if converter.regex == "[0-9]+" else "x" * 40
                    path = re.sub(rf"<(?:\w+:)?{name}>", token, path)
                for method in (client.get, client.post):
                    response = method(path)
                    assert response.status_code < 500, (role, path, method.__name__)
