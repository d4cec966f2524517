"""The audit log: one row per state change, appended without any shared lock, kept tamper-evident by a
signed Merkle tree (as Certificate Transparency logs are, RFC 9162).

A writer inserts its ``AuditEvent`` (with the SHA-256 of its own content) and an ``AuditPending`` row in
the transaction that makes the change; no writer reads or locks anything another writer touches.  The
sequencer (``audit.sequencer.audit_integrate``, run every few seconds) takes the committed pending
events, makes each the next ``AuditLeaf`` of the tree and signs the new tree head (``AuditTreeHead``) with
a key the database does not hold.  ``audit.verify`` recomputes every event's hash, the tree and each
signed head, and proves any one event's inclusion.  Rows hold masked or hashed personal data only: never
a PIN, an image or a full ID number.
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
    nonce = models.CharField("随机数", max_length=16, default="", help_text="写入时随机生成并计入哈希：内容相同的两条事件哈希也不同")
    hash = models.CharField("内容哈希", max_length=64, help_text="本条内容（含随机数）的 SHA-256（规范 JSON）")

    class Meta:
        ordering = ["seq"]
        verbose_name = verbose_name_plural = "审计事件"

    def save(self, *args, **kwargs):
        if self._state.adding is False:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditPending(models.Model):
    """An event written but not yet in the tree; the sequencer integrates it and deletes this row."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, primary_key=True, verbose_name="审计事件")

    class Meta:
        verbose_name = verbose_name_plural = "待入树审计事件"


class AuditLeaf(models.Model):
    """Leaf ``index`` (from 0) of the tree: ``SHA-256(0x00 || event hash)``."""

    index = models.BigIntegerField("叶序号", primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, verbose_name="审计事件")
    digest = models.BinaryField("叶哈希", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "审计树叶"


class AuditTreeNode(models.Model):
    """Root of the perfect subtree of ``width`` leaves from ``offset`` (large widths only): once complete it
    never changes, so the sequencer and the proofs read these instead of the leaves below.  The verifier
    never trusts them: it recomputes the tree from the events."""

    offset = models.BigIntegerField("起始叶")
    width = models.BigIntegerField("叶数")
    digest = models.BinaryField("节点哈希", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "审计树节点"
        constraints = [models.UniqueConstraint(fields=["offset", "width"], name="audit_node_offset_width")]


class AuditTreeHead(models.Model):
    """A signed tree head: the root of the first ``size`` leaves, signed by the sequencer's key."""

    size = models.BigIntegerField("叶数", primary_key=True)
    root = models.BinaryField("根哈希", max_length=32)
    timestamp_ms = models.BigIntegerField("签署时间（毫秒）")
    key_id = models.CharField("签名公钥标识", max_length=16)
    signature = models.BinaryField("签名", max_length=64)

    class Meta:
        ordering = ["size"]
        verbose_name = verbose_name_plural = "审计树头"


class AuditSequencerLock(models.Model):
    """One row the sequencer locks while it integrates, so two sequencers never extend the tree at once.
    Only the sequencer touches it: writers never wait for it."""

    id = models.PositiveSmallIntegerField("编号", primary_key=True, default=1, help_text="仅一行，固定为 1")

    class Meta:
        verbose_name = verbose_name_plural = "审计入树锁"


class AccessLogEntry(models.Model):
    """Who looked at whose cards or records (a read: the status query): one row per look, outside the
    event chain.

    Written with one INSERT in the read's own autocommit (``audit.access.access_record``): no lock, no
    hash, no sequencer; reads never wait for each other or for the audited writes.  Append-only like the
    events.  No personal data: the person and cards by their row ids, the caller by kind, id and role.
    Changes and the reviewers' look at a person in full stay audit events (``PERSON_VIEWED_IN_FULL``).
    """

    id = models.BigAutoField("序号", primary_key=True)
    at = models.DateTimeField("查看时间", db_index=True)
    operation = models.CharField("操作", max_length=64,
                                 help_text="访问控制表中的操作名，如 card.status_query")
    actor_kind = models.CharField("操作者类别", max_length=10,
                                  help_text="staff 工作人员、kiosk 自助一体机、citizen APP用户、system 系统")
    actor_id = models.BigIntegerField("操作者编号", null=True)
    actor_name = models.CharField("操作人", max_length=100)
    actor_role = models.CharField("操作人角色", max_length=20)
    channel = models.CharField("渠道", max_length=16)
    outlet_id = models.BigIntegerField("网点编号", null=True)
    person_id = models.BigIntegerField("人员编号", null=True)
    card_ids = models.JSONField("所见卡片编号", default=list, help_text="本次查看所显示的卡片（内部编号）")
    request_id = models.CharField("请求编号", max_length=64, blank=True, help_text="接口请求的 X-Request-ID")

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "查询访问记录"
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_access_person_at"),
            models.Index(fields=["actor_kind", "actor_id", "at"], name="audit_access_actor_at"),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding is False:
            raise RuntimeError("access log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("access log entries are append-only")


# The tables that refuse UPDATE, DELETE and TRUNCATE on PostgreSQL (migration 0005): everything but the
# sequencer's queue (it deletes what it integrates) and its lock row.
APPEND_ONLY_MODELS = (AuditEvent, AuditLeaf, AuditTreeNode, AuditTreeHead, AccessLogEntry)
