"""Employer batches (批量办理) and their rows.

A ``Batch`` is one submission by an employer's handler at an outlet (window or kiosk): the detail sheet and
the scans (file route) or the rows keyed in by the clerk (paper route).  The source is stored encrypted
(sheet / keyed rows) or as received (the scans zip, like other evidence images) and validated in the
background; each processed row becomes a ``BatchRow``: accepted (with its application, a
``desk.ServiceRequest``) or refused (with the Chinese reason that goes back in the error workbook).
Row data is kept encrypted; ``id_hash`` finds a row by ID number.  Only ``services`` write these rows.
"""

from django.db import models

from sscard.batches.choices import BatchStatus, Route, RowStatus
from sscard.core.fields import EncryptedTextField


class Batch(models.Model):
    batch_no = models.CharField("批次号", max_length=24, unique=True)
    business = models.CharField(max_length=20)  # unit business: batch_apply | batch_reissue
    kind = models.CharField(max_length=10)  # sheet: new_card | reissue
    route = models.CharField(max_length=10, choices=Route.choices)
    channel = models.CharField(max_length=16)
    catalogue_version = models.CharField(max_length=20)
    employer = models.ForeignKey("employers.Employer", on_delete=models.PROTECT, related_name="batches")
    handler = models.ForeignKey("employers.EmployerHandler", on_delete=models.PROTECT, related_name="batches")
    handler_doc_type = models.CharField(max_length=16)
    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+")
    kiosk = models.ForeignKey("staff.KioskDevice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=20)

    status = models.CharField(max_length=12, choices=BatchStatus.choices, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    accepted_rows = models.PositiveIntegerField(default=0)
    refused_rows = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=200, blank=True)

    source_name = models.CharField(max_length=200)  # storage name of the encrypted sheet / keyed rows
    source_format = models.CharField(max_length=8)  # xlsx | json
    source_sha256 = models.CharField(max_length=64)
    scans_name = models.CharField(max_length=200, blank=True)  # storage name of the scans zip
    scans_sha256 = models.CharField(max_length=64, blank=True)
    voucher_no = models.CharField(max_length=24, blank=True)

    submitted_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "单位批量业务"
        constraints = [
            # The same file (or keyed rows) submitted twice by one employer is one batch (double submit).
            models.UniqueConstraint(fields=["employer", "source_sha256", "scans_sha256"],
                                    condition=~models.Q(status=BatchStatus.FAILED), name="batch_same_source_once"),
        ]

    def __str__(self):
        return self.batch_no


class BatchRow(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="rows")
    line_no = models.PositiveIntegerField()  # 1-based sheet row (the header is row 1); keyed rows: 2, 3, ...
    seq = models.CharField(max_length=20, blank=True)  # the employer's own 序号
    status = models.CharField(max_length=10, choices=RowStatus.choices, db_index=True)
    data = EncryptedTextField()  # JSON list of the original cell texts, in column order
    numeric = models.CharField(max_length=100, blank=True)  # column keys typed as numbers, comma-separated
    id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField("desk.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="batch_row")
    # scan kind -> SHA-256 of the member of the batch's scans zip (found again by ID number and kind)
    scans = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "批量明细行"
        constraints = [models.UniqueConstraint(fields=["batch", "line_no"], name="batch_row_line_once")]

    def __str__(self):
        return f"{self.batch_id}#{self.line_no}"
