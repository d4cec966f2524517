"""A business handled through any channel (业务办理): who, what, on which channel, with what materials.

Production businesses (apply, reissue, replace, renew) pass through pending steps (review, voucher,
signature, fee) before production; the rest take effect in the call that creates them and are stored
``completed`` for the record.  Document numbers are not kept here: the person rows hold them encrypted.
"""

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.desk.choices import Delivery, EvaluationLevel, FollowUpStatus, ProductionMode, RequestStatus
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


class ServiceEvaluation(models.Model):
    """好差评 of one completed business: anonymous (no person is recorded), with the business number, the
    channel and outlet it was served at and the member of staff who served it."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.PROTECT, related_name="evaluation",
                                   verbose_name="业务")
    level = models.PositiveSmallIntegerField("评价等级", choices=EvaluationLevel.choices)
    reason = models.CharField("评价理由", max_length=300, blank=True)
    channel = models.CharField("渠道", max_length=16)
    outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="网点")
    served_by = models.CharField("经办人员", max_length=100, blank=True)
    created_at = models.DateTimeField("评价时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务评价"


class EvaluationFollowUp(models.Model):
    """The supervisor's follow-up of a bad rating: to be settled within 15 working days."""

    evaluation = models.OneToOneField(ServiceEvaluation, on_delete=models.PROTECT, related_name="follow_up",
                                      verbose_name="评价")
    status = models.CharField("状态", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    due_at = models.DateTimeField("整改期限")
    resolution = models.CharField("整改情况", max_length=500, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        indexes = [models.Index(fields=["status", "due_at"])]
