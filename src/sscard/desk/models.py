"""A business handled through any channel (业务办理): who, what, on which channel, with what materials.

Production businesses (apply, reissue, replace, renew) pass through pending steps (review, voucher,
signature, fee) before production; the rest take effect in the call that creates them and are stored
``completed`` for the record.  Document numbers are not kept here: the person rows hold them encrypted.
"""

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.desk.choices import (
    Delivery,
    EvaluationLevel,
    FollowUpStatus,
    ProductionMode,
    RequestStatus,
    TicketStatus,
    WorkItemState,
)
from sscard.desk.rules import open_production_q


class ServiceRequest(models.Model):
    request_no = models.CharField("业务编号", max_length=24, unique=True)
    business = models.CharField("业务事项", max_length=20, db_index=True)
    channel = models.CharField("渠道", max_length=16)
    applicant_role = models.CharField("申请人身份", max_length=16, help_text="本人、他人代办或单位批量")
    catalogue_version = models.CharField("办事指南版本", max_length=20, help_text="受理时所依据的业务目录版本")
    applicant = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="requests",
                                  verbose_name="申请人")
    agent = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="代办人")
    card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="requests", verbose_name="办理的社保卡")
    new_card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="新卡")
    outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="受理网点")
    kiosk = models.ForeignKey("staff.KioskDevice", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="自助一体机")
    citizen = models.ForeignKey("staff.CitizenAccount", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="requests", verbose_name="APP用户账户")
    actor_name = models.CharField("经办人员", max_length=100)
    actor_role = models.CharField("经办人员角色", max_length=20)

    status = models.CharField("状态", max_length=20, choices=RequestStatus.choices, db_index=True)
    pending_steps = models.JSONField("待完成环节", default=list, help_text="制卡前须依次完成的环节（审核、凭证、签字、缴费）")
    materials = models.JSONField("申请材料", default=dict, help_text="所提交证件、照片等材料的概要")
    payload = models.JSONField("业务数据", default=dict, help_text="该业务特有的办理数据")
    reason = models.CharField("补换原因", max_length=20, blank=True, help_text="补领、换领、换发的原因")
    photo_changed = models.BooleanField("更换照片", default=False)
    signature_mode = models.CharField("签字方式", max_length=10, blank=True,
                                      help_text="pad 签字板电子签名，paper 打印表单纸质签字")  # "pad" | "paper" | ""
    archive_mode = models.CharField("存档方式", max_length=10, blank=True,
                                    help_text="digital 影像归档，paper 纸质存档")  # "digital" | "paper" | ""

    production_mode = models.CharField("制卡方式", max_length=10, choices=ProductionMode.choices,
                                       default=ProductionMode.NONE)
    due_at = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField("时限为暂定", default=False,
                                          help_text="计算时限时当年节假日安排尚未公布，按周一至周五推算")
    delivery = models.CharField("领卡方式", max_length=10, choices=Delivery.choices, default=Delivery.NONE)
    delivery_address = EncryptedTextField("邮寄地址", blank=True, help_text="加密保存")
    tracking_no = models.CharField("邮件单号", max_length=40, blank=True)
    pickup_outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="领卡网点")

    fee_amount_fen = models.IntegerField("应收工本费（分）", null=True, blank=True)
    payment = models.ForeignKey("fees.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="缴费/抵扣记录")
    voucher_no = models.CharField("凭证编号", max_length=24, null=True, blank=True, unique=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    # An app application under review is held by one reviewer at a time (desk.claims), until the claim
    # expires; a refusal records which item it concerns ({"item", "item_label", "reason"}).
    review_claimed_by = models.ForeignKey("staff.StaffMember", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name="审核认领人")
    review_claimed_at = models.DateTimeField("审核认领时间", null=True, blank=True)
    review_claim_expires_at = models.DateTimeField("认领失效时间", null=True, blank=True)
    rejection = models.JSONField("审核不通过的项目与原因", default=dict, blank=True)

    created_at = models.DateTimeField("受理时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "业务办理记录"
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


class QueueTicket(models.Model):
    """A queue number (排队号) taken at an outlet's number dispenser, called to a window (叫号)."""

    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+", verbose_name="网点")
    day = models.DateField("日期")
    number = models.PositiveIntegerField("序号")
    label = models.CharField("排队号", max_length=8)
    status = models.CharField("状态", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    window = models.CharField("窗口", max_length=20, blank=True)
    called_by = models.CharField("叫号人员", max_length=100, blank=True)
    staff_id = models.BigIntegerField("叫号人员编号", null=True, blank=True)
    calls = models.PositiveSmallIntegerField("呼叫次数", default=0)
    request_no = models.CharField("业务流水号", max_length=24, blank=True)
    created_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队叫号"
        constraints = [models.UniqueConstraint(fields=["outlet", "day", "number"], name="one_number_per_outlet_day")]
        indexes = [models.Index(fields=["outlet", "day", "status", "number"])]

    def __str__(self):
        return self.label


class WorkItem(models.Model):
    """A 12333 work item to an outlet (工单转办): the hotline operator sends a verified caller's matter
    (an appointment, a question the phone cannot settle, a complaint, missing materials) to an outlet,
    whose staff accept and close it within the catalogue's working days (``desk.work_items``).

    The caller is the person of the card the operator verified; their callback number, when given, and
    the note (the caller's own words) are encrypted at rest, the number with a lookup hash for search.
    """

    work_item_no = models.CharField("工单编号", max_length=24, unique=True)
    category = models.CharField("工单类别", max_length=20,
                                help_text="业务目录 settings.work_item_categories 之一")
    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+",
                               verbose_name="转办网点")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name="来电人（持卡人）")
    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="+",
                             verbose_name="核验身份所用的社保卡")
    contact_phone = EncryptedTextField("回电号码", blank=True, help_text="加密保存；来电人未留号码时为空")
    contact_phone_hash = models.CharField("回电号码索引", max_length=64, blank=True, db_index=True,
                                          help_text="回电号码的密钥哈希，用于按号码查找，不可还原")
    note = EncryptedTextField("转办事由", help_text="加密保存，不超过 500 个字符")
    state = models.CharField("状态", max_length=10, choices=WorkItemState.choices,
                             default=WorkItemState.OPEN, db_index=True)
    created_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="转办话务员")
    created_by_name = models.CharField("转办话务员姓名", max_length=100)
    created_at = models.DateTimeField("转办时间", db_index=True)
    due_at = models.DateTimeField("办结时限")
    due_provisional = models.BooleanField("时限为暂定", default=False,
                                          help_text="计算时限时当年节假日安排尚未公布，按周一至周五推算")
    accepted_by = models.ForeignKey("staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="受理人员")
    accepted_by_name = models.CharField("受理人员姓名", max_length=100, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    result_note = models.CharField("办理结果", max_length=500, blank=True,
                                   help_text="办结时的办理结果，或撤销原因")
    closed_by = models.ForeignKey("staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="办结或撤销人员")
    closed_by_name = models.CharField("办结或撤销人员姓名", max_length=100, blank=True)
    closed_at = models.DateTimeField("办结或撤销时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "12333转办工单"
        indexes = [models.Index(fields=["outlet", "state", "due_at"]),
                   models.Index(fields=["state", "due_at"]),
                   models.Index(fields=["person", "created_at"])]

    def __str__(self):
        return self.work_item_no
