"""Select and checkbox widgets rendered as one string, not one template per option.

Django renders every ``<option>`` through the form renderer's templates; on the
item list's filter panel that was about a third of the page's time. These produce
the same markup (name, id, ``selected``/``checked``, the error attributes
``BoundField`` adds) with every label and value escaped.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _selected(widget, value) -> set[str]:
    return {str(v) for v in widget.format_value(value)}


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        chosen = _selected(self, value)
        final = self.build_attrs(self.attrs, attrs)
        final.pop("name", None)
        parts = [f'<select name="{escape(name)}"{flatatt(final)}>']
        for key, label in self.choices:
            key = "" if key is None else str(key)
            mark = " selected" if key in chosen else ""
            parts.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


class FastCheckboxes(forms.CheckboxSelectMultiple):
    """One ``<label class="check">`` around each box, as the item list's stage filter shows."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = _selected(self, value)
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.pop("id", "")
        final.pop("name", None)
        extra = flatatt(final)
        parts = []
        for index, (key, label) in enumerate(self.choices):
            key = str(key)
            box_id = f"{base_id}_{index}" if base_id else ""
            id_attr = f' id="{escape(box_id)}"' if box_id else ""
            mark = " checked" if key in chosen else ""
            parts.append(
                f'<label class="check" for="{escape(box_id)}"><input type="checkbox" '
                f'name="{escape(name)}" value="{escape(key)}"{id_attr}{extra}{mark}> '
                f"{escape(label)}</label>"
            )
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class EitherYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose blank choice reads "Either", not Django's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Either"), ("true", "Yes"), ("false", "No")]
