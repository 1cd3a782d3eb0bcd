from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.queries import leaf_categories
from demands.models import Level, RequesterKind
from lib.forms import Bootstrap, MultipleFileField


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
    requester_phone = forms.CharField(label=_("手机号码"), max_length=20,
                                      help_text=_("用于查询进度和回访，不会公开。"))
    requester_org = forms.CharField(label=_("单位/企业名称"), max_length=100, required=False)
    consent_publish = forms.BooleanField(
        label=_("同意在公众诉求栏公开本诉求（隐去姓名、电话和详细门牌）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = leaf_categories()
        self.fields["requester_phone"].widget.attrs.update({"inputmode": "tel",
                                                            "autocomplete": "tel"})

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 3:
            raise forms.ValidationError(_("最多上传 3 张照片。"))
        return photos


class TrackForm(Bootstrap, forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "placeholder": "如 261128-7KQ2MX"}))
    phone_suffix = forms.RegexField(label=_("手机号后四位"), regex=r"^\d{4}$",
                                    error_messages={"invalid": _("请输入手机号的后四位数字。")},
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
    phone = forms.RegexField(label=_("提交诉求时留的手机号码"), regex=r"^1\d{10}$",
                             error_messages={"invalid": _("请输入 11 位手机号码。")})

    field_order = ["number", "phone", "level", "comment"]
