"""Ticket page forms: hotline intake, grid worker report, visit follow-up, the next actions, the resident's rating.

Forms only collect and check input; every write goes through services.tickets.services; which
form an action's page shows is the action's row in services.tickets.actions. Choices come from
`visible_to(user)`, so a form never offers a row outside the user's scope.
"""

from django import forms
from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from cobuilding.models import AgreementStatus, CoBuildingAgreement, ResidentUnit
from core.validators import normalize_phone
from grids.models import Building, Grid
from orgs.models import Organization
from orgs.rules import Level
from residents.models import Resident
from services.models import Channel, Priority, ServiceCategory, ServiceItem, Ticket
from services.tickets.selectors import ERRAND_ROLES, Candidate, dispatch_candidates, errand_runners
from services.validators import validate_ticket_photo

MAX_PHOTOS = 6


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each must be an image within the size limit (services.validators)."""

    def __init__(self, *, capture: bool = False, **kwargs):
        attrs = {"accept": "image/*", "multiple": True}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultipleImageInput(attrs=attrs))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片。"), params={"n": MAX_PHOTOS}, code="too_many")
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        for photo in cleaned:
            validate_ticket_photo(photo)
        return cleaned


class ServiceItemChoiceField(forms.ModelChoiceField):
    """The catalogue grouped by category (<optgroup>), so the right item is found by eye during a call."""

    def __init__(self, **kwargs):
        queryset = ServiceItem.objects.filter(is_active=True).order_by("category", "code")
        super().__init__(queryset=queryset, label=_("服务事项"), **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"

    def grouped_choices(self):
        labels = dict(ServiceCategory.choices)
        groups: dict[str, list] = {}
        for item in self.queryset:
            groups.setdefault(item.category, []).append((item.pk, self.label_from_instance(item)))
        return [("", "---------")] + [(labels.get(cat, cat), choices) for cat, choices in groups.items()]


def _with_grouped_items(form: forms.Form) -> None:
    field = form.fields["service_item"]
    field.widget.choices = field.grouped_choices()


def model_errors_to_form(form: forms.Form, error) -> None:
    """Put a service's ValidationError beside the fields it names; the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class TicketIntakeForm(forms.Form):
    """Hotline / one-window intake: pick a found resident, or type a name and phone for someone not registered."""

    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[(Channel.HOTLINE, Channel.HOTLINE.label), (Channel.ONE_WINDOW, Channel.ONE_WINDOW.label)],
        initial=Channel.HOTLINE,
    )
    reporter = forms.ModelChoiceField(queryset=Resident.objects.none(), required=False, widget=forms.HiddenInput)
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("反映人电话"), max_length=20, required=False)
    community = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("所属社区"), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    service_item = ServiceItemChoiceField()
    description = forms.CharField(label=_("诉求描述"), widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)
    photos = PhotosField()
    assignee_user = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("派给（受理并派单时选择）"), required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["assignee_user"].queryset = dispatchable_people(user)
        self.fields["reporter"].queryset = Resident.objects.visible_to(user).select_related("household__building__grid")
        communities = Organization.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("code")
        self.fields["community"].queryset = communities
        first_two = list(communities[:2])
        if len(first_two) == 1:
            self.fields["community"].initial = first_two[0].pk
        _with_grouped_items(self)

    def clean(self):
        cleaned = super().clean()
        resident = cleaned.get("reporter")
        if resident is None and not cleaned.get("reporter_name"):
            self.add_error("reporter_name", _("请选择居民，或填写反映人姓名。"))
        if resident is None and not cleaned.get("community") and "community" not in self.errors:
            self.add_error("community", _("请选择所属社区。"))
        return cleaned

    def suggest_assignees(self) -> None:
        """Order and label the assignee choices for the place picked so far (the grid worker on duty first)."""
        place = Ticket(community_id=self._picked_community_id(), grid=self._picked_grid())
        offer_candidates(self.fields["assignee_user"], dispatch_candidates(ticket=place, fetched_by=self.user))

    def _picked_resident(self):
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get("reporter")

    def _picked_grid(self):
        resident = self._picked_resident()
        return resident.household.building.grid if resident is not None else None

    def _picked_community_id(self):
        grid = self._picked_grid()
        if grid is not None:
            return grid.community_id
        community = getattr(self, "cleaned_data", {}).get("community")
        return community.pk if community is not None else self.fields["community"].initial

    def ticket_fields(self) -> dict:
        """The keyword arguments for ticket_create; a picked resident fixes community, grid, building, household."""
        data = self.cleaned_data
        fields = {
            "channel": data["channel"],
            "service_item": data["service_item"],
            "description": data["description"],
            "priority": data["priority"],
            "address": data["address"],
            "reporter_name": data["reporter_name"],
            "reporter_phone": data["reporter_phone"],
            "community": data["community"],
        }
        resident = data.get("reporter")
        if resident is not None:
            household = resident.household
            grid = household.building.grid
            fields |= {
                "reporter": resident,
                "reporter_name": data["reporter_name"] or resident.name,
                "community": grid.community,
                "grid": grid,
                "building": household.building,
                "household": household,
            }
        return fields


class GridReportForm(forms.Form):
    """A grid worker reports from the phone: their grid preselected, a photo from the camera."""

    grid = forms.ModelChoiceField(queryset=Grid.objects.none(), label=_("网格"))
    service_item = ServiceItemChoiceField()
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("具体位置"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.NORMAL)
    photos = PhotosField(capture=True)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        grids = Grid.objects.visible_to(user).select_related("community").order_by("tree_id", "lft")
        self.fields["grid"].queryset = grids
        first = grids.first()
        if first is not None:
            self.fields["grid"].initial = first.pk
        _with_grouped_items(self)


class VisitTicketForm(forms.Form):
    service_item = ServiceItemChoiceField()
    description = forms.CharField(label=_("诉求描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_grouped_items(self)


# ---- next actions on the ticket page -------------------------------------------------------------------------


class ActionForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, ticket: Ticket, user: User, **kwargs):
        self.ticket, self.user = ticket, user
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        return {}


class ReasonForm(ActionForm):
    note = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(ReasonForm):
    referral = forms.CharField(label=_("建议转交"), max_length=200, required=False)

    def params(self) -> dict:
        return {"referral": self.cleaned_data["referral"]}


class ResolveForm(ActionForm):
    note = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(capture=True)


class DispatchForm(ActionForm):
    """To a grid worker or staff member in scope, a unit with an active agreement here, or a department by name."""

    assignee_user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("承办人"), required=False)
    assignee_unit = forms.ModelChoiceField(queryset=ResidentUnit.objects.none(), label=_("承办单位"), required=False)
    assignee_department = forms.CharField(label=_("承办部门"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_user"].queryset = dispatchable_people(self.user)
        offer_candidates(self.fields["assignee_user"], dispatch_candidates(ticket=self.ticket, fetched_by=self.user))
        bound = CoBuildingAgreement.objects.filter(unit=OuterRef("pk"), community=self.ticket.community_id)
        units = ResidentUnit.objects.visible_to(self.user).filter(Exists(bound.filter(status=AgreementStatus.ACTIVE)))
        self.fields["assignee_unit"].queryset = units.order_by("name")

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get("assignee_user"), cleaned.get("assignee_unit"), cleaned.get("assignee_department")]
        if sum(bool(x) for x in chosen) != 1 and not self.errors:
            raise forms.ValidationError(_("请选择一个承办人、承办单位或承办部门。"), code="assignee")
        return cleaned

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "assignee_user": data.get("assignee_user"),
            "assignee_unit": data.get("assignee_unit"),
            "assignee_department": data.get("assignee_department", ""),
        }


def _person_label(user: User) -> str:
    return f"{user.get_full_name() or user.username}（{user.get_role_display()}）"


def dispatchable_people(user: User):
    """Whom `user` may hand a ticket to: active staff and grid workers in their scope."""
    people = User.objects.visible_to(user).filter(is_active=True, role__in=(Role.GRID_WORKER, Role.STAFF))
    return people.order_by("role", "username")


def candidate_label(candidate: Candidate) -> str:
    grids = "、".join(grid.name for grid in candidate.grids) or "—"
    text = _("%(person)s · %(grids)s · 在办 %(load)s 件") % {
        "person": _person_label(candidate.user), "grids": grids, "load": candidate.open_load,
    }  # fmt: skip
    return _("建议：%(who)s") % {"who": text} if candidate.suggested else text


def offer_candidates(field: forms.ModelChoiceField, candidates: list[Candidate]) -> None:
    """The suggested people first, in the selector's order and with their grid and open load; everyone else after."""
    labels = {c.user.pk: candidate_label(c) for c in candidates}
    if labels:
        rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(labels)], default=Value(len(labels)))
        field.queryset = field.queryset.order_by(rank, "role", "username")
    field.label_from_instance = lambda user: labels.get(user.pk) or _person_label(user)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"), coerce=int, widget=forms.RadioSelect,
        choices=[
            (5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 基本满意")), (2, _("2 不满意")), (1, _("1 很不满意")),
        ],
        error_messages={"required": _("请选择满意度。")},
    )  # fmt: skip
    comment = forms.CharField(label=_("意见和建议"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PublicRequestForm(forms.Form):
    """A resident's request from the community's public page (channel web): who, which item, what and where.

    An item that is not published for this community (another community's, a withdrawn one, a made-up id) gets the
    same error as no item at all, so the form reveals nothing about other communities' catalogues.
    """

    reporter_name = forms.CharField(
        label=_("您的姓名"), max_length=50, error_messages={"required": _("请填写您的姓名。")}
    )
    reporter_phone = forms.CharField(
        label=_("联系电话"), max_length=20, error_messages={"required": _("请填写联系电话。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("仅用于工作人员联系您，页面上不再完整显示。"),
    )  # fmt: skip
    service_item = forms.ModelChoiceField(
        queryset=ServiceItem.objects.none(), label=_("服务事项"),
        error_messages={"required": _("请选择服务事项。"), "invalid_choice": _("请选择服务事项。")},
    )  # fmt: skip
    description = forms.CharField(
        label=_("您要反映什么"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请描述您的诉求。")},
    )  # fmt: skip
    address = forms.CharField(label=_("在哪里"), max_length=200, required=False, help_text=_("小区、门牌或具体位置。"))
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(), label=_("楼栋（可选）"), required=False,
        error_messages={"invalid_choice": _("请选择本社区的楼栋。")},
    )  # fmt: skip

    def __init__(self, *args, community: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        items = ServiceItem.objects.published_for(community).order_by("category", "code")
        self.fields["service_item"].queryset = items
        self.fields["service_item"].label_from_instance = lambda item: item.name
        buildings = Building.objects.filter(grid__community=community).select_related("grid").order_by("name")
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda building: building.name

    def clean_reporter_phone(self) -> str:
        return normalize_phone(self.cleaned_data["reporter_phone"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("address", "").strip() and not cleaned.get("building") and "building" not in self.errors:
            self.add_error("address", _("请填写地点，或选择楼栋。"))
        return cleaned

    def ticket_fields(self) -> dict:
        """The keyword arguments for ticket_create: channel web, in this community, at the building's grid if any."""
        data = self.cleaned_data
        building = data.get("building")
        return {
            "channel": Channel.WEB,
            "community": self.community,
            "service_item": data["service_item"],
            "description": data["description"].strip(),
            "address": data["address"].strip(),
            "reporter_name": data["reporter_name"].strip(),
            "reporter_phone": data["reporter_phone"],
            "building": building,
            "grid": building.grid if building else None,
        }


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索事项"), max_length=50, required=False, strip=True)
# ---- proxy errands (代办) on the ticket page --------------------------------------------------------------------

ERRAND_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProxyErrandForm(forms.Form):
    """Record a proxy errand: who runs it (a staff member or grid worker in scope), what goes where, and when."""

    runner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("代办人"))
    handed_in = forms.CharField(label=_("递交材料"), widget=forms.Textarea(attrs={"rows": 2}))
    handed_in_where = forms.CharField(label=_("递交地点"), max_length=200)
    handed_in_at = forms.DateTimeField(label=_("递交时间"), widget=ERRAND_DATETIME)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["runner"].queryset = errand_runners(user).order_by("role", "username")
        self.fields["runner"].label_from_instance = _person_label
        if user.role in ERRAND_ROLES:
            self.fields["runner"].initial = user.pk


class ProxyErrandReturnForm(forms.Form):
    """The errand came back (办回): when, and what came of it."""

    came_back_at = forms.DateTimeField(label=_("办回时间"), widget=ERRAND_DATETIME)
    note = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
