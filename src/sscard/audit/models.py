"""Append-only, hash-chained audit trail: one row per state change.

Each row stores the hash of the previous row and its own hash over a canonical JSON of its content, so
any edit, deletion or insertion breaks the chain at a row that ``verify_audit_chain`` names.  Rows hold
masked or hashed personal data only: never a PIN, an image or a full ID number.
"""

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigAutoField("序号", primary_key=True)
    event_type = models.CharField("事件类型", max_length=64, db_index=True)
    at = models.DateTimeField("发生时间", db_index=True)
    actor_kind = models.CharField("操作者类别", max_length=10,
                                  help_text="staff 工作人员、kiosk 自助一体机、citizen APP用户、system 系统")
    actor_id = models.BigIntegerField("操作者编号", null=True)
    actor_name = models.CharField("操作人", max_length=100)
    actor_role = models.CharField("操作人角色", max_length=20)
    channel = models.CharField("渠道", max_length=16)
    outlet_id = models.BigIntegerField("网点编号", null=True)
    subject_type = models.CharField("业务对象类型", max_length=40)
    subject_id = models.CharField("业务对象编号", max_length=40, db_index=True)
    person_id = models.BigIntegerField("人员编号", null=True, db_index=True)
    before = models.JSONField("变更前", default=dict)
    after = models.JSONField("变更后", default=dict)
    data = models.JSONField("附加信息", default=dict)
    request_id = models.CharField("请求编号", max_length=64, blank=True, help_text="接口请求的 X-Request-ID，用于关联日志")
    prev_hash = models.CharField("上一条哈希", max_length=64, help_text="链上前一条事件的哈希，首条为 64 个 0")
    hash = models.CharField("本条哈希", max_length=64, unique=True, help_text="本条内容（含上一条哈希）的 SHA-256")

    class Meta:
        ordering = ["seq"]
        verbose_name = verbose_name_plural = "审计事件"

    def save(self, *args, **kwargs):
        if self._state.adding is False:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """Single row holding the last hash; locking it serialises appends so the chain never forks.

    Services write their audit event as the last step of their transaction, so the lock is held only
    from the append to the commit; a business that talks to a device holds its events back until the
    device is done (``services.audit_deferred``), so the lock is never held during device I/O.
    """

    id = models.PositiveSmallIntegerField("编号", primary_key=True, default=1, help_text="仅一行，固定为 1")
    last_seq = models.BigIntegerField("最后序号", default=0)
    last_hash = models.CharField("最后哈希", max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"
