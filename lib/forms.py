"""Form pieces both interfaces (console and portal) use: Bootstrap classes and the
project's own error messages on every field, and a file field that takes several files."""

from __future__ import annotations

from django import forms

# Django's stock messages ("这个字段是必填项。", "确保该值不超过 …") do not say which field
# is wrong and read like a machine; these name the field. ``{label}`` is filled in per
# field; ``%(…)s`` are the parameters Django's validators pass.
REQUIRED = "请填写{label}。"
REQUIRED_CHOICE = "请选择{label}。"
REQUIRED_FILE = "请上传{label}。"
REQUIRED_TICK = "请勾选{label}。"
MAX_LENGTH = "{label}不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。"
MIN_LENGTH = "{label}至少需要 %(limit_value)d 个字（现有 %(show_value)d 个）。"
INVALID_CHOICE = "{label}的选项无效，请重新选择。"
MIN_VALUE = "{label}不能小于 %(limit_value)s。"
MAX_VALUE = "{label}不能大于 %(limit_value)s。"
STEP = "{label}须为 %(limit_value)s 的整数倍。"
INVALID_INTEGER = "{label}须为整数。"
INVALID_NUMBER = "{label}须为数字。"
MAX_DIGITS = "{label}最多 %(max)s 位数字。"
MAX_DECIMAL_PLACES = "{label}最多保留 %(max)s 位小数。"
MAX_WHOLE_DIGITS = "{label}的整数部分最多 %(max)s 位。"
INVALID_DATE = "{label}格式不正确，请按 2026-11-23 的格式填写。"
INVALID_DATETIME = "{label}格式不正确，请按 2026-11-23 09:30 的格式填写。"
INVALID_TIME = "{label}格式不正确，请按 09:30 的格式填写。"
INVALID_EMAIL = "请填写正确的{label}。"


def _messages_for(field: forms.Field) -> dict[str, str]:
    """The project's messages that fit this kind of field, by error code."""
    if isinstance(field, forms.ChoiceField):  # ModelChoiceField and TypedChoiceField too
        out = {"required": REQUIRED_CHOICE, "invalid_choice": INVALID_CHOICE}
    elif isinstance(field, forms.FileField):
        out = {"required": REQUIRED_FILE}
    elif isinstance(field, forms.BooleanField):
        out = {"required": REQUIRED_TICK}
    else:
        out = {"required": REQUIRED}
    if isinstance(field, forms.CharField):
        out |= {"max_length": MAX_LENGTH, "min_length": MIN_LENGTH}
    if isinstance(field, forms.EmailField):
        out["invalid"] = INVALID_EMAIL
    if isinstance(field, forms.IntegerField | forms.FloatField):  # Decimal is an Integer
        out |= {"min_value": MIN_VALUE, "max_value": MAX_VALUE, "step_size": STEP,
                "invalid": INVALID_INTEGER if type(field) is forms.IntegerField
                else INVALID_NUMBER}
    if isinstance(field, forms.DecimalField):
        out |= {"max_digits": MAX_DIGITS, "max_decimal_places": MAX_DECIMAL_PLACES,
                "max_whole_digits": MAX_WHOLE_DIGITS}
    if isinstance(field, forms.DateTimeField):
        out["invalid"] = INVALID_DATETIME
    elif isinstance(field, forms.DateField):
        out["invalid"] = INVALID_DATE
    elif isinstance(field, forms.TimeField):
        out["invalid"] = INVALID_TIME
    return out


def _django_defaults(field: forms.Field) -> dict:
    defaults: dict = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


def _label(field: forms.Field, name: str) -> str:
    """The field's label without its parenthesised hint ("附件（图片或 PDF…）" → "附件"),
    made safe for %-formatting."""
    label = str(field.label or name).split("（")[0].split("(")[0].strip()
    return label.replace("%", "%%")


def use_project_messages(form: forms.BaseForm) -> None:
    """Give every field of ``form`` the project's error messages, except where the form
    set its own (a message that is not Django's default is left alone)."""
    for name, field in form.fields.items():
        defaults = _django_defaults(field)
        label = _label(field, name)
        for code, message in _messages_for(field).items():
            if field.error_messages.get(code) is defaults.get(code):
                field.error_messages[code] = message.format(label=label)


class Bootstrap:
    """Mix into a form: each widget gets Bootstrap 5's class for its kind, and each field
    the project's error messages (``use_project_messages``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_project_messages(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control",
                                                             "accept": "image/*,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []
