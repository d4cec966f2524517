"""The bench URLconf: the project's URLs plus the bare lookup view the status query is measured against.

``POST /bench/bare-lookup`` takes the status query's body (``{"applicant": {"doc_type", "number"}}``) and
does what a plain Django view would do for the same lookup: the person by the keyed hash of the ID
number, then their cards, as JSON.  No authentication, no catalogue, no access log.  Bench only: it is
not in the product's URLs.
"""

import json

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from sscard.cards.models import Card
from sscard.core.crypto import lookup_hash
from sscard.people.models import Person


@csrf_exempt
def bare_lookup(request):
    number = json.loads(request.body)["applicant"]["number"]
    person = Person.objects.filter(id_hash=lookup_hash(number, purpose="id")).first()
    if person is None:
        return JsonResponse({"code": "PERSON_NOT_FOUND"}, status=404)
    cards = [{"card_no": c.card_no, "state": c.state, "state_changed_at": c.state_changed_at,
              "temp_loss_expires_at": c.temp_loss_expires_at}
             for c in Card.objects.filter(person=person).order_by("-id")]
    return JsonResponse({"person_id": person.pk, "cards": cards})


def ping(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/ping", ping),
    path("bench/bare-lookup", bare_lookup),
    path("", include("sscard.config.urls")),
]
