"""Letters keep their stylesheet under production static files (hashed names)."""

import pytest
from django.core.management import call_command
from django.template import Context, Template
from weasyprint import HTML

from notices.pdf import BASE_URL, StaticOnlyFetcher

LETTER_HEAD = Template(
    "{% load static %}<link rel='stylesheet' href=\"{% static 'letters/letter.css' %}\"><p>x</p>"
)


def render_with_fetcher():
    html = LETTER_HEAD.render(Context())
    fetcher = StaticOnlyFetcher()
    HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    return html, fetcher


def test_hashed_stylesheet_is_served_from_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
    }
    # Only the letters' own files: compressing the admin's and Swagger UI's scripts is
    # most of a full collectstatic and says nothing about the letters.
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar"],
    )
    html, fetcher = render_with_fetcher()
    assert "letters/letter.css" not in html, "the manifest should give a hashed name"
    assert "letters/letter." in html
    assert fetcher.refused == []


def test_plain_names_are_served_from_the_finders():
    html, fetcher = render_with_fetcher()
    assert "letters/letter.css" in html
    assert fetcher.refused == []


@pytest.mark.parametrize("relative", ["../config/settings.py", "css/app.css"])
def test_other_static_paths_stay_refused(settings, tmp_path, relative):
    from notices.pdf import resolve_static

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("p{}")
    assert resolve_static(f"{BASE_URL}static/{relative}") is None
