"""Forms of the demand pages. They type and bound the input; the rules live in the
actions, whose ``ActionError`` messages the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from catalog.queries import leaf_categories
from demands.models import Channel, Level, ReplyTemplate, RequesterKind, SlaFlag
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
    category = forms.ChoiceField(label=_("诉求类别"))
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
        self.fields["category"].choices = leaf_categories()


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()


class UnitForm(Bootstrap, forms.Form):
    unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.none(),
                                  empty_label="请选择单位")
    note = forms.CharField(label=_("说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, demand=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units().exclude(kind="office")
        if demand is not None and demand.category.default_unit_id and not self.is_bound:
            self.initial["unit"] = demand.category.default_unit_id


class TransferForm(UnitForm):
    note = forms.CharField(label=_("转办理由"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Bootstrap, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(Bootstrap, forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(NoteForm):
    note = forms.CharField(label=_("说明"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(Bootstrap, forms.Form):
    template = forms.ModelChoiceField(label=_("文明用语模板"), required=False,
                                      queryset=ReplyTemplate.objects.all(),
                                      empty_label="不使用模板")
    content = forms.CharField(label=_("答复内容"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(Bootstrap, forms.Form):
    extra_days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(Bootstrap, forms.Form):
    reached = forms.TypedChoiceField(label=_("回访结果"), coerce=lambda v: v == "yes",
                                     choices=[("yes", "已联系上诉求人"),
                                              ("no", "未能联系上")],
                                     widget=forms.RadioSelect)
    level = forms.TypedChoiceField(label=_("满意度"), required=False, coerce=int,
                                   empty_value=None,
                                   choices=[("", "—"), *Level.choices])
    note = forms.CharField(label=_("回访情况"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(Bootstrap, forms.Form):
    instruction = forms.CharField(label=_("督办要求"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateTimeField(label=_("反馈期限"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class MergeForm(Bootstrap, forms.Form):
    into = forms.CharField(label=_("并入诉求编号"), max_length=20)


class PeriodForm(Bootstrap, forms.Form):
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-\d{2}$", required=False,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": "月份格式应为 2026-11。"})
    by = forms.ChoiceField(label=_("分组"), required=False, initial="unit",
                           choices=[("unit", "责任单位"), ("category", "类别"),
                                    ("channel", "来源渠道"), ("requester_kind", "诉求人类型")])
