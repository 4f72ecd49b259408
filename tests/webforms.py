"""Helpers for submitting forms as a page renders them (django-webtest).

WebTest submits a form to its ``action``; a browser sends it to the pressed
button's ``formaction`` when it has one (the item list's bulk bar posts one
selection to several views that way). ``press`` does what the browser does.
"""

import re


def _label(tag) -> str:
    return " ".join(tag.get_text(" ").split()) or tag.get("value", "")


def button(form, label):
    """The one submit button of ``form`` whose visible text is ``label``."""
    found = [
        tag
        for tag in form.html.find_all(["button", "input"])
        if tag.get("type", "submit" if tag.name == "button" else "") in ("submit", "image")
        and _label(tag) == label
    ]
    labels = [
        _label(t) for t in form.html.find_all(["button", "input"]) if t.get("type") != "hidden"
    ]
    assert len(found) == 1, f"no single button {label!r} in form {form.id!r}: {labels}"
    return found[0]


def press(form, label, **kwargs):
    """Submit ``form`` by pressing the button labelled ``label``, as a browser does:
    the button's name/value are sent, and its ``formaction`` replaces the form's action."""
    tag = button(form, label)
    fields = form.submit_fields()
    if tag.get("name"):
        fields.append((tag["name"], tag.get("value", "")))
    action = tag.get("formaction") or form.action
    method = (tag.get("formmethod") or form.method).upper()
    if method != "GET":
        kwargs.setdefault("content_type", form.enctype)
    kwargs.setdefault("extra_environ", {}).setdefault(
        "HTTP_REFERER", str(form.response.request.url)
    )
    return form.response.goto(action, method=method, params=fields, **kwargs)


def check(form, name, value):
    """Tick the checkbox ``name`` whose value is ``value`` (one of several of that name)."""
    for field in form.fields.get(name, []):
        if field._value == str(value):
            field.checked = True
            return
    raise AssertionError(f"no checkbox {name}={value} in form {form.id!r}")


def messages(page) -> list[str]:
    """The flash messages shown on a page."""
    return [
        " ".join(li.get_text(" ").split()).removeprefix("Error: ")
        for li in page.html.select("ul.messages li")
    ]


def form_ids(page) -> list[str]:
    return [f.get("id", "") for f in page.html.find_all("form")]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
