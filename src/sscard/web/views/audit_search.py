"""审计日志查询 (supervisors, auditors, administrators): the audit trail by subject, actor, event type
and time, newest first, a page at a time.  Read-only; events show masked data only
(``audit.selectors.audit_search``)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sscard.audit.selectors import AuditQuery
from sscard.audit.selectors import audit_search as search
from sscard.core.replica import use_replica
from sscard.policy.choices import Channel
from sscard.staff.choices import StaffRole
from sscard.staff.selectors import outlet_choices
from sscard.web.access import page
from sscard.web.supervisor_forms import AuditSearchForm
from sscard.web.views.areas import area_nav
from sscard.web.vocabulary import choices_of, label

TEMPLATE = "web/supervisor/audit_search.html"
BODY = "web/supervisor/partials/audit_body.html"
ROLE_LABELS = {**dict(choices_of(StaffRole)), "kiosk": gettext_lazy("自助一体机"),
               "citizen": gettext_lazy("APP用户"), "system": gettext_lazy("系统")}


@page("audit.search")
@require_GET
def audit_search(request):
    form = AuditSearchForm(request.GET)
    context = {"title": _("审计日志查询"), "form": form, "errors": {},
               **area_nav(request, "web:audit_search")}
    if form.is_valid():
        data = form.cleaned_data
        query = AuditQuery(subject_type=data["subject_type"], number=data["number"], actor_name=data["actor_name"],
                           actor_role=data["actor_role"], event_type=data["event_type"], at_from=data["at_from"],
                           at_to=data.get("at_to_exclusive"))
        with use_replica():  # the search may be a moment behind the primary
            result = search(query, page=data["page"] or 1)
        outlets = dict(outlet_choices())
        for row in result["rows"]:
            row["role_label"] = ROLE_LABELS.get(row["actor_role"], row["actor_role"])
            row["channel_label"] = label(Channel, row["channel"])
            row["outlet_label"] = outlets.get(row["outlet_id"], "")
        context["result"] = result
        context["searched"] = any(data.get(k) for k in ("subject_type", "number", "actor_name", "actor_role",
                                                        "event_type", "at_from", "at_to"))
    else:
        context["errors"] = form.page_errors()
    return render(request, BODY if request.htmx else TEMPLATE, context, status=400 if context["errors"] else 200)
