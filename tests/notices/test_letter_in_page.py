"""The approver reads the letter in the demand page: a frame of the PDF served same-origin,
framable by our own pages only (that response alone), with a download link beside it."""

import pytest
from django.urls import reverse

from notices import rendering, workflow


def directives(response):
    parts = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return dict(parts)


def detail(demand):
    return reverse("notices:demand-detail", args=[demand.pk])


@pytest.mark.django_db
def test_the_pdf_in_the_frame_may_be_framed_by_our_pages_only(
    manager_client, outsider_client, legal, draft
):
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)  # what the worker does
    workflow.perform(draft, "submit", by=legal)
    view = reverse("notices:letter-view", args=[letter.pk])

    page = manager_client.get(detail(draft))
    html = page.content.decode()
    assert f'<iframe class="letter-frame" src="{view}" title="Letter version 1 (PDF)">' in html
    assert f'href="{reverse("notices:letter-download", args=[letter.pk])}"' in html
    # The page itself may still not be framed at all.
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]

    pdf = manager_client.get(view)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline;")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(pdf)["frame-ancestors"] == "'self'"

    assert outsider_client.get(view).status_code == 404


@pytest.mark.django_db
def test_without_a_pdf_the_frame_shows_the_preview(manager_client, legal, draft):
    workflow.perform(draft, "submit", by=legal)
    preview = reverse("notices:demand-preview", args=[draft.pk])
    html = manager_client.get(detail(draft)).content.decode()
    frame = f'<iframe class="letter-frame" src="{preview}" title="Preview of the letter (HTML)">'
    assert frame in html
    response = manager_client.get(preview)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response)["frame-ancestors"] == "'self'"
