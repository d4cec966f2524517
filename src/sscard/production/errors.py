"""The production app's error codes: central production orders and items, the bank / card-vendor exchange
files, batch pick-up and batch to individual.  Registered with status and general meaning, see
``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("production", [
    # orders and items
    ErrorCode("ORDER_NOT_FOUND", 404, "未找到该制卡批次（生产单）"),
    ErrorCode("ORDER_STAGE_CONFLICT", 409, "制卡批次当前环节不允许该操作"),
    ErrorCode("ITEM_STAGE_CONFLICT", 409, "制卡明细当前环节不允许该操作"),
    ErrorCode("CARD_NUMBERS_EXHAUSTED", 409, "集中制卡卡号已用完，须配置新的卡号字母"),
    # exchange files
    ErrorCode("EXCHANGE_FILE_TOO_LARGE", 400, "交换（回盘）文件过大"),
    ErrorCode("EXCHANGE_FILE_NOT_UTF8", 400, "交换文件不是 UTF-8 编码的文本"),
    ErrorCode("EXCHANGE_FILE_FORMAT", 400, "交换文件格式不正确（元数据行、表头、行结束符或 CSV 格式）"),
    ErrorCode("EXCHANGE_FILE_TRUNCATED", 400, "交换文件不完整或已损坏（记录数或校验值不符）"),
    ErrorCode("EXCHANGE_ROW_INVALID", 400, "交换文件中某一行的内容不正确"),
    ErrorCode("EXCHANGE_KIND_MISMATCH", 400, "交换文件类型与预期不符"),
    ErrorCode("EXCHANGE_ORDER_MISMATCH", 400, "交换文件所属的制卡批次（生产单）与预期不符"),
    ErrorCode("EXCHANGE_UNKNOWN_ITEM", 400, "回盘文件含有本批次未报送的明细，整份文件未导入"),
    ErrorCode("EXCHANGE_ITEMS_MISSING", 400, "回盘文件缺少部分明细的结果，整份文件未导入"),
    ErrorCode("EXCHANGE_RESULT_DIFFERS", 409, "该制卡批次已导入过另一份不同的回盘文件"),
    # pick-up
    ErrorCode("PICKUP_OUTLET_MISMATCH", 422, "批量制卡须到提交申请的业务网点领取"),
    ErrorCode("PICKUP_LETTER_REQUIRED", 422, "领卡人不是提交该批次的经办人，须出示加盖单位公章的介绍信"),
    ErrorCode("PICKUP_NOTHING_READY", 422, "该批次暂无可领取的社保卡"),
    # batch to individual
    ErrorCode("BATCH_REQUEST_NOT_FOUND", 404, "该人员没有正在办理中的单位批量制卡业务"),
    ErrorCode("BATCH_NOT_CONVERTIBLE", 422, "该人员的批量制卡当前不能转零星办理（须已产生制卡数据且尚未制卡）"),
    ErrorCode("BATCH_ROW_STATE", 409, "批量明细行当前状态不能转零星办理"),
    ErrorCode("MATERIAL_APPLICANT_DOC", 422, "申办人须出示本人规定的身份证件原件"),
])
