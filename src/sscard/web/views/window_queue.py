"""叫号 at the window: the ticket being served, how many wait, and next / recall / skip (htmx widget)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sscard.desk import queue
from sscard.web.access import page

ACTIONS = {"next": queue.queue_call_next, "recall": queue.queue_recall, "skip": queue.queue_skip}
NOTICES = {"next": gettext_lazy("已呼叫下一位"), "recall": gettext_lazy("已重新呼叫"),
           "skip": gettext_lazy("已过号")}


def _widget(request, notice: str = ""):
    return render(request, "web/window/partials/queue.html", {
        "ticket": queue.queue_current(request.actor), "waiting": queue.queue_waiting(request.actor),
        "notice": notice})


@page("queue.call")
def widget(request):
    return _widget(request)


@page("queue.call")
@require_POST
def action(request, what: str):
    if what not in ACTIONS:
        return _widget(request, _("无法识别的叫号操作"))
    ticket = ACTIONS[what](actor=request.actor)
    if what == "next" and ticket is None:
        return _widget(request, _("当前没有等候的群众"))
    if ticket is None:
        return _widget(request, NOTICES[what])
    return _widget(request, _("%(notice)s：%(ticket)s") % {"notice": NOTICES[what], "ticket": ticket.label})


@page("queue.ticket_issue")
@require_POST
def take_ticket(request):
    """The simulated number dispenser of the demo (a real one is a kiosk calling the same service)."""
    ticket = queue.queue_ticket_issue(actor=request.actor)
    return render(request, "web/window/partials/simulator_result.html",
                  {"message": _("已取号 %(ticket)s") % {"ticket": ticket.label}, "ok": True})
