"""The forms of a page as it renders them, read with the standard library's HTML parser,
so the load test submits what a browser would (field names, CSRF token, options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    id: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # hidden / text / textarea values
    options: dict[str, list[str]] = field(default_factory=dict)  # select name → values

    def data(self, **values) -> dict:
        """The form's own fields (CSRF token included) with ``values`` filled in."""
        return {**self.fields, **values}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, Form] = {}
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("id", ""), a.get("action", ""), a.get("method", "get"))
            self.forms[self._form.id] = self._form
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._form.fields[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.options[self._select] = []
        elif tag == "option" and self._select is not None and a.get("value"):
            self._form.options[self._select].append(a["value"])
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(html: str) -> tuple[dict[str, Form], list[str]]:
    """The page's forms by id, and its link targets."""
    parser = _Parser()
    parser.feed(html)
    return parser.forms, parser.links


def option_values(html: str) -> list[str]:
    """The values of a bare list of <option>s (an htmx fragment)."""
    parser = _Parser()
    parser.feed(f"<form id='fragment'><select name='options'>{html}</select></form>")
    return parser.forms["fragment"].options["options"]
