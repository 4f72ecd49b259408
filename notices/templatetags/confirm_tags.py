"""The attributes that make the demand page's irreversible buttons ask first
(notices.confirmations; the dialog is static/js/app.js)."""

from django import template

from notices import confirmations

register = template.Library()


@register.filter
def confirm_action(demand, name):
    asks = confirmations.action(demand, name)
    return asks.attrs() if asks else ""


@register.filter
def confirm_send(demand):
    return confirmations.send(demand).attrs()


@register.filter
def confirm_remedy_removal(remedy, demand):
    return confirmations.remove_remedy(demand, remedy).attrs()


@register.filter
def confirm_item_removal(item, demand):
    return confirmations.remove_item(demand, item).attrs()
