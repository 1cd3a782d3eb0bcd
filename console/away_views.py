"""离岗告示 in the console: staff post where they went; unit heads may post for their staff."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access, actions
from org.models import AwayNotice, StaffProfile


class AwayForm(Bootstrap, forms.Form):
    staff = forms.ModelChoiceField(label=_("离岗人员"), queryset=StaffProfile.objects.none(),
                                   empty_label=None)
    destination = forms.CharField(label=_("去向/事由"), max_length=100)
    until = forms.DateTimeField(label=_("预计返回"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    covered_by = forms.ModelChoiceField(label=_("代岗人员"), required=False,
                                        queryset=StaffProfile.objects.none(),
                                        empty_label=_("无"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        editable = access.filter_for(user, "org.edit_staff",
                                     StaffProfile.objects.filter(user__is_active=True))
        self.fields["staff"].queryset = editable.order_by("unit__path", "badge_number")
        own = StaffProfile.objects.filter(user=user).first()
        if own is not None:
            self.initial.setdefault("staff", own.pk)
            self.fields["covered_by"].queryset = StaffProfile.objects.filter(
                unit=own.unit, user__is_active=True).exclude(pk=own.pk)


@login_required
def away(request):
    form = AwayForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.post_away(request.user, data["staff"], data["destination"], data["until"],
                              data["covered_by"])
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("离岗告示已发布，公众三亮公示栏同步显示。"))
            return redirect("console:away")
    notices = access.filter_for(request.user, "org.edit_staff", AwayNotice.objects.filter(
        ended_at__isnull=True)).select_related("staff", "covered_by")[:50]
    return render(request, "console/away.html", {"form": form, "notices": notices},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def away_end(request, pk):
    notice = access.get_for_user_or_404(request.user, "org.edit_staff",
                                        AwayNotice.objects.all(), pk=pk)
    actions.end_away(request.user, notice)
    messages.success(request, _("已返岗。"))
    return redirect("console:away")
