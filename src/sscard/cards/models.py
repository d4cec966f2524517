"""Cards and their state-change log.

A person has at most one live card (made, active, locked or lost): the partial unique constraint holds
that even under concurrent requests.  Issuing a new card ends the old one (state ``replaced``) in the
same transaction.  The PIN is never here: it lives on the chip (see ``sscard.hardware``); only the
count of wrong attempts is kept, updated atomically.
"""

from django.db import models
from django.db.models import Q

from sscard.cards.choices import AAZ502, LIVE_STATES, CardState


class Card(models.Model):
    card_no = models.CharField(max_length=9, unique=True)
    identification_code = models.CharField(max_length=32, blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cards")
    state = models.CharField(max_length=16, choices=CardState.choices, default=CardState.MADE)
    state_changed_at = models.DateTimeField()
    origin_channel = models.CharField(max_length=16)
    origin_request = models.ForeignKey("desk.ServiceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    made_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    pin_failures = models.PositiveSmallIntegerField(default=0)
    temp_loss_expires_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state__in=list(LIVE_STATES)),
                                    name="one_live_card_per_person"),
        ]

    def __str__(self):
        return self.card_no

    @property
    def aaz502(self) -> str:
        return AAZ502[self.state]


class CardStateChange(models.Model):
    """Every card transition, so withdraw / unlock / rollback can restore the state it came from."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="changes")
    event = models.CharField(max_length=20)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    at = models.DateTimeField()
    request = models.ForeignKey("desk.ServiceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    rolled_back = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["card", "-id"])]
