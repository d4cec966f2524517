"""Employer batches (批量办理) and their rows.

A ``Batch`` is one submission by an employer's handler at an outlet (window or kiosk): the detail sheet and
the scans (file route) or the rows keyed in by the clerk (paper route).  The files are stored sealed by the
storage (``core.storage``; the scans zip repacked by the structural checks under opaque member names,
``scans_name`` then naming the repacked zip) and validated in the background; each processed row becomes a ``BatchRow``: accepted (with its application, a
``desk.ServiceRequest``) or refused (with the Chinese reason that goes back in the error workbook).
Row data is kept encrypted; ``id_hash`` finds a row by ID number.  Only ``services`` write these rows.
"""

from django.db import models

from sscard.batches.choices import BatchStatus, Route, RowStatus
from sscard.core.fields import EncryptedTextField


class Batch(models.Model):
    batch_no = models.CharField("批次号", max_length=24, unique=True)
    business = models.CharField("单位业务", max_length=20,
                                help_text="batch_apply 批量申领，batch_reissue 批量补换")  # unit business
    kind = models.CharField("报盘表类别", max_length=10, help_text="new_card 新申领表，reissue 补换表")  # sheet
    route = models.CharField("申报方式", max_length=10, choices=Route.choices)
    channel = models.CharField("渠道", max_length=16)
    catalogue_version = models.CharField("办事指南版本", max_length=20, help_text="受理时所依据的业务目录版本")
    employer = models.ForeignKey("employers.Employer", on_delete=models.PROTECT, related_name="batches",
                                 verbose_name="用人单位")
    handler = models.ForeignKey("employers.EmployerHandler", on_delete=models.PROTECT, related_name="batches",
                                verbose_name="单位经办人")
    handler_doc_type = models.CharField("经办人证件类型", max_length=16)
    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+",
                               verbose_name="受理网点")
    kiosk = models.ForeignKey("staff.KioskDevice", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="自助一体机")
    actor_name = models.CharField("经办人员", max_length=100)
    actor_role = models.CharField("经办人员角色", max_length=20)

    status = models.CharField("状态", max_length=12, choices=BatchStatus.choices, db_index=True)
    total_rows = models.PositiveIntegerField("明细总行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    accepted_rows = models.PositiveIntegerField("受理行数", default=0)
    refused_rows = models.PositiveIntegerField("退回行数", default=0)
    failure = models.CharField("文件无法处理的原因", max_length=200, blank=True)
    failure_code = models.CharField("文件无法处理的错误代码", max_length=40, blank=True,
                                    help_text="结构检查拒收文件时的错误代码（如 WORKBOOK_XML_UNSAFE）")

    source_name = models.CharField("报盘数据存储名", max_length=200,
                                   help_text="加密保存的明细表或窗口录入数据的存储文件名")
    source_format = models.CharField("报盘数据格式", max_length=8, help_text="xlsx 明细表，json 窗口录入")
    source_sha256 = models.CharField("报盘数据 SHA-256 摘要", max_length=64, help_text="同一单位重复提交同一文件时据此识别")
    scans_name = models.CharField("扫描件压缩包存储名", max_length=200, blank=True)
    scans_sha256 = models.CharField("扫描件压缩包 SHA-256 摘要", max_length=64, blank=True)
    voucher_no = models.CharField("凭证编号", max_length=24, blank=True)

    submitted_at = models.DateTimeField("提交时间", db_index=True)
    started_at = models.DateTimeField("开始校验时间", null=True, blank=True)
    validated_at = models.DateTimeField("校验完成时间", null=True, blank=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField("时限为暂定", default=False,
                                          help_text="计算时限时当年节假日安排尚未公布，按周一至周五推算")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "单位批量业务"
        constraints = [
            # The same file (or keyed rows) submitted twice by one employer is one batch (double submit).
            models.UniqueConstraint(fields=["employer", "source_sha256", "scans_sha256"],
                                    condition=~models.Q(status=BatchStatus.FAILED), name="batch_same_source_once"),
        ]

    def __str__(self):
        return self.batch_no


class BatchPart(models.Model):
    """One range of a batch's rows, validated by one chunk task (any task worker takes it).  Written by the
    structural checks with its encrypted part file; ``done_at`` once every row of the range is stored.  A
    chunk task locks its part while it stores a chunk, so a part re-run after a crash (or twice at once)
    writes no row twice."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="parts", verbose_name="批量业务")
    part_no = models.PositiveIntegerField("分段序号")
    first_line = models.PositiveIntegerField("首行行号")
    last_line = models.PositiveIntegerField("末行行号")
    rows = models.PositiveIntegerField("行数")
    file_name = models.CharField("分段数据存储名", max_length=200, help_text="加密保存的本段明细、重复证件号码与扫描件目录")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量校验分段"
        constraints = [models.UniqueConstraint(fields=["batch", "part_no"], name="batch_part_once")]

    def __str__(self):
        return f"{self.batch_id}/{self.part_no}"


class BatchRow(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="rows", verbose_name="批量业务")
    # 1-based sheet row (the header is row 1); keyed rows: 2, 3, ...
    line_no = models.PositiveIntegerField("行号", help_text="明细表中的行号（表头为第 1 行）")
    seq = models.CharField("单位序号", max_length=20, blank=True)  # the employer's own 序号
    status = models.CharField("校验结果", max_length=10, choices=RowStatus.choices, db_index=True)
    # JSON list of the original cell texts, in column order
    data = EncryptedTextField("明细数据", help_text="原表各列内容（JSON），加密保存，后台不显示")
    # column keys typed as numbers, comma-separated
    numeric = models.CharField("数值型列", max_length=100, blank=True, help_text="原表中以数字录入的列，逗号分隔")
    id_hash = models.CharField("证件号码索引", max_length=64, blank=True, db_index=True,
                               help_text="证件号码的密钥哈希，用于按证件号码查找，不可还原")
    reason = models.TextField("退回原因", blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="人员")
    request = models.OneToOneField("desk.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="batch_row", verbose_name="业务")
    # scan kind -> SHA-256 of the member of the batch's scans zip (found again by ID number and kind)
    scans = models.JSONField("扫描件摘要", default=dict, help_text="扫描件类别对应压缩包中文件的 SHA-256")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "批量明细行"
        constraints = [models.UniqueConstraint(fields=["batch", "line_no"], name="batch_row_line_once")]

    def __str__(self):
        return f"{self.batch_id}#{self.line_no}"
