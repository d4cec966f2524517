"""Reads of employers and their handlers."""

from sscard.core.errors import NotFound
from sscard.employers.models import Employer, EmployerHandler
from sscard.employers.rules import validate_uscc


def employer_by_uscc(uscc: str) -> Employer:
    """The employer with this code (validated and normalised first), or ``NotFound`` EMPLOYER_NOT_FOUND."""
    code = validate_uscc(uscc)
    employer = Employer.objects.filter(uscc=code).first()
    if employer is None:
        raise NotFound("EMPLOYER_NOT_FOUND", "未找到该统一社会信用代码对应的用人单位")
    return employer


def handlers_of(employer, *, active_only: bool = False):
    """The employer's handlers with their persons, oldest first."""
    qs = EmployerHandler.objects.filter(employer=employer).select_related("person").order_by("created_at", "pk")
    return qs.filter(is_active=True) if active_only else qs
