"""A business handled through any channel (业务办理): who, what, on which channel, with what materials.

Production businesses (apply, reissue, replace, renew) pass through pending steps (review, voucher,
signature, fee) before production; the rest take effect in the call that creates them and are stored
``completed`` for the record.  Document numbers are not kept here: the person rows hold them encrypted.
"""

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.desk.choices import Delivery, ProductionMode, RequestStatus
from sscard.desk.rules import open_production_q


class ServiceRequest(models.Model):
    request_no = models.CharField(max_length=24, unique=True)
    business = models.CharField(max_length=20, db_index=True)
    channel = models.CharField(max_length=16)
    applicant_role = models.CharField(max_length=16)
    catalogue_version = models.CharField(max_length=20)
    applicant = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="requests")
    agent = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    new_card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kiosk = models.ForeignKey("staff.KioskDevice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    citizen = models.ForeignKey("staff.CitizenAccount", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="requests")
    actor_name = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=20)

    status = models.CharField(max_length=20, choices=RequestStatus.choices, db_index=True)
    pending_steps = models.JSONField(default=list)
    materials = models.JSONField(default=dict)
    payload = models.JSONField(default=dict)
    reason = models.CharField(max_length=20, blank=True)
    photo_changed = models.BooleanField(default=False)
    signature_mode = models.CharField(max_length=10, blank=True)  # "pad" | "paper" | ""
    archive_mode = models.CharField(max_length=10, blank=True)  # "digital" | "paper" | ""

    production_mode = models.CharField(max_length=10, choices=ProductionMode.choices, default=ProductionMode.NONE)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(default=False)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE)
    delivery_address = EncryptedTextField(blank=True)
    tracking_no = models.CharField(max_length=40, blank=True)
    pickup_outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")

    fee_amount_fen = models.IntegerField(null=True, blank=True)
    payment = models.ForeignKey("fees.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    voucher_no = models.CharField(max_length=24, null=True, blank=True, unique=True)
    review_note = models.CharField(max_length=200, blank=True)
    # An app application under review is held by one reviewer at a time (desk.claims), until the claim
    # expires; a refusal records which item it concerns ({"item", "item_label", "reason"}).
    review_claimed_by = models.ForeignKey("staff.StaffMember", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    review_claimed_at = models.DateTimeField(null=True, blank=True)
    review_claim_expires_at = models.DateTimeField(null=True, blank=True)
    rejection = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            # At most one open card-production business (apply / reissue / replace / renew) per person,
            # even when two channels submit at the same moment (services check first, under the person lock).
            models.UniqueConstraint(
                fields=["applicant"],
                condition=open_production_q(),
                name="one_open_production_request_per_person",
            ),
        ]

    def __str__(self):
        return self.request_no
