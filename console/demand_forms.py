"""Forms of the demand pages other than the actions' (those are generated from
``demands.catalogue``). They type and bound the input; the rules live in the actions,
whose ``ActionError`` messages the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from catalog.queries import leaf_categories
from demands import kpis
from demands.models import Channel, ReplyTemplate, RequesterKind, SlaFlag
from enterprises.queries import paired_enterprise_ids
from lib.forms import Bootstrap, MultipleFileField
from org.models import Unit

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.HOTLINE_12319, Channel.HOTLINE_12345,
                                               Channel.WEIBO, Channel.WENZHENG,
                                               Channel.WALK_IN)]


def active_units():
    return Unit.objects.filter(is_active=True).exclude(kind="branch").order_by("path")


class RegisterForm(Bootstrap, forms.Form):
    requester_kind = forms.ChoiceField(label=_("诉求人类型"), choices=RequesterKind.choices,
                                       initial=RequesterKind.CITIZEN)
    requester_name = forms.CharField(label=_("诉求人姓名"), max_length=50, required=False)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    requester_org = forms.CharField(label=_("所在单位/企业"), max_length=100, required=False)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=STAFF_CHANNELS)
    external_id = forms.CharField(label=_("外部编号"), max_length=64, required=False,
                                  help_text=_("12345 工单号、微博链接编号等；"
                                              "同一渠道同一编号只受理一次。"))
    category = forms.ChoiceField(
        label=_("诉求类别"), required=False,
        help_text=_("一时判断不了可以不选：诉求进入“待分类”，按默认时限计时，分类后按该类别的"
                    "承诺时限从受理时起重新计时。"))
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(label=_("诉求内容"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6,
                                   required=False)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6,
                                  required=False)
    attachments = MultipleFileField(label=_("附件（图片或 PDF，最多 9 个，每个不超过 10 MB）"),
                                    required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("暂不分类（进入待分类）")),
                                           *leaf_categories()[1:]]


class FilterForm(Bootstrap, forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "编号、标题、电话"}))
    category = forms.ModelChoiceField(label=_("大类"), required=False, empty_label="全部类别",
                                      queryset=Category.objects.filter(parent__isnull=True))
    unit = forms.ModelChoiceField(label=_("责任单位"), required=False, empty_label="全部单位",
                                  queryset=Unit.objects.none())
    channel = forms.ChoiceField(label=_("渠道"), required=False,
                                choices=[("", "全部渠道"), *Channel.choices])
    kind = forms.ChoiceField(label=_("诉求人"), required=False,
                             choices=[("", "全部"), *RequesterKind.choices])
    sla = forms.ChoiceField(label=_("时限"), required=False,
                            choices=[("", "全部"), *SlaFlag.choices])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()
        if user is not None and paired_enterprise_ids(user):
            # 我挂钩的企业: a paired cadre's enterprises (docs/campaign.md, "enterprises")
            self.fields["paired"] = forms.ChoiceField(
                label=_("挂钩企业"), required=False,
                choices=[("", "全部"), ("1", "我挂钩的企业")])
            self.fields["paired"].widget.attrs["class"] = "form-select"


class RecordsForm(forms.Form):
    """The list behind a figure (``demands.kpis.records_url``): hidden inputs that ride
    along with the filters, shown as a caption above the list."""

    kpi = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                            choices=[("", ""), *((key, key) for key in kpis.RECORD_FIGURES)])
    part = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                             choices=[("", ""), ("hit", "hit"), ("miss", "miss")])
    start = forms.DateField(required=False, widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])

    def __init__(self, data=None, **kwargs):
        if data is not None:  # the URL says from/to (Python keywords as field names)
            data = {"kpi": data.get("kpi", ""), "part": data.get("part", ""),
                    "start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("kpi") and not (data.get("start") and data.get("end")):
            raise forms.ValidationError("统计口径缺少起止日期。")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data

    @property
    def active(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data.get("kpi"))

    def bounds(self):
        return kpis.day_bounds(self.cleaned_data["start"], self.cleaned_data["end"])

    def caption(self) -> str:
        data = self.cleaned_data
        return (f"{kpis.records_label(data['kpi'], data['part'] or None)}："
                f"{data['start']:%Y-%m-%d} 至 {data['end']:%Y-%m-%d}")


def reply_template_field() -> forms.ModelChoiceField:
    """The civil-language template picker beside a reply box (fills it in the browser;
    not an input of the reply itself)."""
    return forms.ModelChoiceField(label=_("文明用语模板"), required=False,
                                  queryset=ReplyTemplate.objects.all(),
                                  empty_label="不使用模板")


class PeriodForm(Bootstrap, forms.Form):
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-\d{2}$", required=False,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": "月份格式应为 2026-11。"})
    by = forms.ChoiceField(label=_("分组"), required=False, initial="unit",
                           choices=[("unit", "责任单位"), ("category", "类别"),
                                    ("channel", "来源渠道"), ("requester_kind", "诉求人类型")])
