"""The staff password rule beyond Django's validators (length, common, numeric, similarity: settings):
等保 2.0 level 3 asks for passwords of some complexity, here characters of at least three of four classes
(upper case, lower case, digits, other symbols)."""

from django.core.exceptions import ValidationError

_CLASSES = (str.isupper, str.islower, str.isdigit, lambda c: not c.isalnum())


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        found = sum(any(test(c) for c in password) for test in _CLASSES)
        if found < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
