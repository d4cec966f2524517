"""The archive app's error codes: images, the card photo rule, paper-archive references and the archived
files.

Registered with status and general meaning, see ``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("archive", [
    ErrorCode("IMAGE_BASE64", 400, "图片数据不是有效的 data:image/...;base64, 图片数据"),
    ErrorCode("IMAGE_FORMAT", 400, "图片格式不支持，仅接受 JPEG 或 PNG 图片"),
    ErrorCode("IMAGE_INVALID", 400, "图片文件无法识别或已损坏"),
    ErrorCode("IMAGE_PIXELS", 400, "图片像素过多或尺寸过小"),
    ErrorCode("IMAGE_TOO_LARGE", 400, "图片文件过大"),
    ErrorCode("PHOTO_INVALID", 400, "社保卡照片不符合照片规则（details.problems 列出每一项问题）"),
    ErrorCode("PHOTO_FORMAT", 400, "社保卡照片格式不符合经办目录的要求（JPEG）"),
    ErrorCode("PHOTO_SIZE", 400, "社保卡照片尺寸不符合经办目录的要求（358×441 像素）"),
    ErrorCode("PHOTO_BACKGROUND", 400, "社保卡照片背景不是白色"),
    ErrorCode("PHOTO_FACE_MISSING", 400, "社保卡照片中未检测到人脸"),
    ErrorCode("PHOTO_FACE_MULTIPLE", 400, "社保卡照片中检测到多张人脸"),
    ErrorCode("PHOTO_FACE_OFF_CENTRE", 400, "社保卡照片中人脸未居中"),
    ErrorCode("PHOTO_FACE_TOO_SMALL", 400, "社保卡照片中人脸过小"),
    ErrorCode("PHOTO_FACE_TOO_LARGE", 400, "社保卡照片中人脸过大"),
    ErrorCode("ARCHIVE_KIND", 400, "归档类型（影像或纸质资料）不正确"),
    ErrorCode("ARCHIVE_SUBJECT", 400, "归档对象类型或编号缺失或过长"),
    ErrorCode("PAPER_REFERENCE_REQUIRED", 400, "未填写纸质档案编号或存放位置"),
    ErrorCode("PAPER_REFERENCE_TOO_LONG", 400, "纸质档案编号过长"),
    ErrorCode("PAPER_REFERENCE_INVALID", 400, "纸质档案编号不能包含换行或控制字符"),
    ErrorCode("ARCHIVE_FILE_MISSING", 404, "归档影像文件不存在"),
    ErrorCode("ARCHIVE_FILE_TAMPERED", 409, "归档影像文件与登记的校验值不一致，可能已被篡改"),
])
