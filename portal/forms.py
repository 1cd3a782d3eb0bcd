from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.queries import leaf_categories
from demands.models import Level, RequesterKind
from enterprises.models import Enterprise
from lib import creditcode, phones
from lib.forms import Bootstrap, MultipleFileField


def phone_field(label, **kwargs) -> forms.CharField:
    """A phone as requesters leave it: a mobile or a landline (``lib.phones``)."""
    field = forms.CharField(label=label, max_length=20, **kwargs)
    field.validators.append(_accepted_phone)
    field.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
    return field


def _accepted_phone(value):
    if not phones.is_accepted(value):
        raise forms.ValidationError(_("请填写手机号码或固定电话（如 0527-84361234）。"),
                                    code="invalid")


def registered_enterprise(name: str, credit_code: str) -> Enterprise | None:
    """The registered enterprise a portal requester names: by credit code when given,
    else by its full or short name when exactly one active enterprise has it."""
    active = Enterprise.objects.filter(is_active=True)
    if credit_code:
        return active.filter(credit_code=credit_code).first()
    name = (name or "").strip()
    if not name:
        return None
    matches = list(active.filter(Q(name=name) | Q(short_name=name))[:2])
    return matches[0] if len(matches) == 1 else None


class SubmitForm(Bootstrap, forms.Form):
    requester_kind = forms.ChoiceField(label=_("我是"), choices=RequesterKind.choices,
                                       initial=RequesterKind.CITIZEN, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("问题类别"))
    title = forms.CharField(label=_("一句话说明问题"), max_length=100)
    content = forms.CharField(label=_("详细描述"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("地点"), max_length=200)
    longitude = forms.DecimalField(max_digits=10, decimal_places=6, required=False,
                                   widget=forms.HiddenInput)
    latitude = forms.DecimalField(max_digits=10, decimal_places=6, required=False,
                                  widget=forms.HiddenInput)
    coord_system = forms.ChoiceField(choices=[("wgs84", "WGS84"), ("gcj02", "GCJ-02")],
                                     initial="wgs84", required=False, widget=forms.HiddenInput)
    photos = MultipleFileField(label=_("现场照片（最多 3 张，每张不超过 10 MB）"), required=False)
    requester_name = forms.CharField(label=_("您的称呼"), max_length=50)
    requester_phone = phone_field(
        _("联系电话"), help_text=_("建议填写手机号码：答复后我们会发短信请您评价。留固定电话的"
                               "收不到短信，可凭诉求编号在“进度查询”中查看并评价。电话不会公开。"))
    requester_org = forms.CharField(label=_("单位/企业名称"), max_length=100, required=False)
    credit_code = forms.CharField(
        label=_("统一社会信用代码（企业选填）"), max_length=18, required=False,
        help_text=_("已在本局登记的企业填写后，诉求将关联到企业服务档案。"))
    consent_publish = forms.BooleanField(
        label=_("同意在公众诉求栏公开本诉求（隐去姓名、电话和详细门牌）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = leaf_categories()

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 3:
            raise forms.ValidationError(_("最多上传 3 张照片。"))
        return photos

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if code and not creditcode.is_valid(code):
            raise forms.ValidationError(_("统一社会信用代码应为18位，且校验位正确；不清楚可不填。"))
        return code

    def clean(self):
        """An enterprise requester that is a registered enterprise is linked to it."""
        data = super().clean()
        data["enterprise"] = None
        if data.get("requester_kind") == RequesterKind.ENTERPRISE:
            enterprise = registered_enterprise(data.get("requester_org", ""),
                                               data.get("credit_code", ""))
            data["enterprise"] = enterprise
            if enterprise and not data.get("requester_org", "").strip():
                data["requester_org"] = enterprise.name
        return data


class TrackForm(Bootstrap, forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "placeholder": "如 261128-7KQ2MX"}))
    phone_suffix = forms.RegexField(label=_("联系电话后四位"), regex=r"^\d{4}$",
                                    error_messages={"invalid": _("请输入联系电话的后四位数字。")},
                                    widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                  "maxlength": 4}))


class EvaluateForm(Bootstrap, forms.Form):
    level = forms.TypedChoiceField(label=_("您对办理结果的评价"), coerce=int,
                                   choices=Level.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见和建议（可选）"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class PublicFilterForm(Bootstrap, forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), required=False, empty_label="全部类别",
                                      queryset=None)
    unit = forms.ModelChoiceField(label=_("区域"), required=False, empty_label="全市",
                                  queryset=None)

    def __init__(self, *args, **kwargs):
        from catalog.models import Category
        from org.models import Unit, UnitKind

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=True)
        self.fields["unit"].queryset = Unit.objects.filter(kind=UnitKind.DISTRICT,
                                                           is_active=True)


class BookingForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    purpose = forms.CharField(label=_("办理事项（可选）"), max_length=100, required=False)


class CancelForm(Bootstrap, forms.Form):
    code = forms.CharField(label=_("取消码"), max_length=8)
    phone_suffix = forms.RegexField(label=_("手机号后四位"), regex=r"^\d{4}$",
                                    error_messages={"invalid": _("请输入手机号的后四位数字。")})


class PhoneEvaluateForm(EvaluateForm):
    number = forms.CharField(label=_("诉求编号"), max_length=20)
    phone = phone_field(_("提交诉求时留的联系电话"))

    field_order = ["number", "phone", "level", "comment"]
