"""The pages' language in templates: the procedure's labels in the page's language (``vocabulary``),
the materials checklist's items, the language switcher's ``lang``."""

import re

from django import template
from django.utils.translation import pgettext

from sscard.web import vocabulary

register = template.Library()
CODE = re.compile(r"^[A-Z][A-Z0-9_]+$")


@register.filter
def vocab(chinese, context: str = ""):
    """A Chinese label from another app in the page's language:
    ``{{ r.status_label|vocab:"RequestStatus" }}``."""
    return vocabulary.text(chinese, context)


@register.filter
def choice(value, choices_name: str):
    """A choice's value by its label in the page's language: ``{{ d.kind|choice:"DayKind" }}``."""
    return vocabulary.label_by_name(value, choices_name)


@register.filter
def checklist_items(checklist):
    return [vocabulary.checklist_item(item, checklist) for item in checklist.items]


@register.filter
def is_code(key) -> bool:
    """An error's key that is a stable error code (``EVIDENCE_PAPER_REF_MISSING``), not a form field."""
    return bool(CODE.match(str(key)))


@register.filter
def paren(value):
    """A value in brackets, as the page's language writes them: （…） in Chinese, (…) in English."""
    if value in (None, ""):
        return ""
    return pgettext("brackets around a value", "（%(value)s）") % {"value": value}
