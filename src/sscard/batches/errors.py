"""The batches app's error codes: employer batches (submission, the workbook and scans files, keyed rows,
state, fee).  Registered with status and general meaning, see ``sscard.core.errors``.

These are errors of a whole request; the problems of single rows go to the batch's error workbook.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("batches", [
    # the batch
    ErrorCode("BATCH_BUSINESS_UNKNOWN", 404, "没有这种单位批量业务"),
    ErrorCode("BATCH_NOT_FOUND", 404, "未找到该批次"),
    ErrorCode("BATCH_ALREADY_SUBMITTED", 409, "该文件已提交过或正在提交，请勿重复提交"),
    ErrorCode("BATCH_STATE", 409, "批次当前状态不允许该操作"),
    ErrorCode("BATCH_NOT_VALIDATED", 409, "批次尚未校验完成，暂不能缴费"),
    ErrorCode("BATCH_NOTHING_TO_PAY", 409, "该批次没有待缴费的明细"),
    ErrorCode("ROUTE_NOT_ALLOWED", 422, "当前渠道不受理该批量业务以这种方式（报盘文件或纸质材料）提交"),
    ErrorCode("HANDLER_NOT_AUTHORISED", 422, "出示证件的人员不是该单位登记的有效经办人"),
    ErrorCode("MATERIAL_HANDLER_DOC", 422, "单位经办人（或领卡经办人）须出示规定的身份证件原件"),
    ErrorCode("INTRO_LETTER_MISSING", 422, "纸质材料办理须提供单位介绍信（影像或纸质存档编号）"),
    # keyed rows (window route)
    ErrorCode("KEYED_ROWS_EMPTY", 400, "窗口录入没有人员信息"),
    ErrorCode("KEYED_ROWS_TOO_MANY", 400, "窗口录入行数超过上限，更多人员须使用报盘文件"),
    ErrorCode("KEYED_ROW_INVALID", 400, "窗口录入的某一行格式不正确、值过长或含有未知的列"),
    # the workbook (.xlsx)
    ErrorCode("WORKBOOK_MISSING", 400, "未上传制卡明细表（.xlsx）"),
    ErrorCode("WORKBOOK_NOT_XLSX", 400, "不是 Excel 2007 及以上（.xlsx）文件，或文件设置了打开密码"),
    ErrorCode("WORKBOOK_CORRUPT", 400, "Excel 文件已损坏或格式不正确，无法读取"),
    ErrorCode("WORKBOOK_TOO_LARGE", 400, "明细表文件、其解压后的内容或使用的单元格范围过大"),
    ErrorCode("WORKBOOK_ZIP_BOMB", 400, "Excel 文件的压缩比异常或成员实际大小超过声明（疑似压缩炸弹），已拒收"),
    ErrorCode("WORKBOOK_UNSAFE_NAME", 400, "Excel 文件内部含有不安全的路径，已拒收"),
    ErrorCode("WORKBOOK_MACROS", 400, "明细表含有宏（VBA 工程 vbaProject.bin 或宏表，.xlsm 的内容），已拒收"),
    ErrorCode("WORKBOOK_XML_UNSAFE", 400, "Excel 文件内部含有不安全或不受支持的 XML（DTD、实体或编码），已拒收"),
    ErrorCode("WORKBOOK_WRONG_KIND", 400, "上传的明细表不是本业务所用的模板"),
    ErrorCode("WORKBOOK_HEADER_MISMATCH", 400, "明细表表头与模板不一致"),
    ErrorCode("WORKBOOK_EMPTY", 400, "明细表中没有数据"),
    ErrorCode("WORKBOOK_TOO_MANY_ROWS", 400, "明细表数据行数超过上限，须分成多个文件提交"),
    # the scans (.zip)
    ErrorCode("SCANS_MISSING", 400, "未上传以证件号码命名的扫描件压缩包（.zip）"),
    ErrorCode("SCANS_NOT_ZIP", 400, "扫描件须打包为一个 zip 文件"),
    ErrorCode("SCANS_TOO_LARGE", 400, "扫描件压缩包过大"),
    ErrorCode("SCANS_TOO_MANY_FILES", 400, "扫描件压缩包中的文件过多"),
    ErrorCode("SCANS_ENCRYPTED", 400, "扫描件压缩包不能设置密码"),
    ErrorCode("SCANS_NESTED_ARCHIVE", 400, "扫描件压缩包中不能再包含压缩包"),
    ErrorCode("SCANS_UNSAFE_NAME", 400, "扫描件压缩包中含有不安全的文件名，已拒收整个文件"),
    ErrorCode("SCANS_ZIP_BOMB", 400, "扫描件解压后过大或压缩比异常（疑似压缩炸弹），已拒收"),
    ErrorCode("SCANS_DUPLICATE_NAME", 400, "扫描件压缩包中有重名文件，或同一证件号码的同类扫描件不止一个"),
    ErrorCode("SCANS_CORRUPT", 400, "扫描件压缩包或其中的文件已损坏，无法读取"),
])
