"""What an app user can do now (the citizen pages' task list): the businesses whose catalogue cell for the
app channel and the person's own role (本人) is allowed, and whose card rule in the catalogue
(``requires_no_card``, ``card_states``: ``BusinessSpec.admits``) admits the person's card in use.  Only the businesses with an app page are
listed; the services check everything again when the business is submitted.  The request steps shown on
the status page come from the request's status here too (no rule in a template)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sscard.cards.ecard import ecard_state_usable
from sscard.desk.choices import RequestStatus
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import ApplicantRole, Business, Channel

# The businesses with a page of their own in the app, in the order the task list shows them, each with the
# URL name of its first page and the words of its task.
APP_PAGES = {
    Business.APPLY: ("web:app_apply", _("还没有社保卡？在线申领，审核通过后制卡")),
    Business.LOSS_REPORT: ("web:app_loss_report", _("卡丢了？立即挂失，防止被他人使用")),
    Business.LOSS_WITHDRAW: ("web:app_loss_withdraw", _("找回了卡？解除挂失后即可正常使用")),
    Business.STATUS_QUERY: ("web:app_status", _("查看社保卡状态和业务办理进度")),
}


@dataclass(frozen=True)
class Task:
    business: str  # a ``Business`` value, or "" for a service that is no business (the 电子社保卡)
    url_name: str
    hint: str
    name: str = ""  # the words of a task that is no business


# 电子社保卡 (``cards.ecard.ecard_code_issue``): a code only for an active card; a card made but not yet
# activated, lost, temporarily lost or locked is refused by the service, so the task list does not offer it.
ECARD_TASK = ("web:app_ecard", _("出示二维码，在服务窗口或自助一体机代替实体卡"),
              pgettext_lazy("app page", "电子社保卡"))


def ecard_offered(card_state: str | None) -> bool:
    return ecard_state_usable(card_state)  # the service's own rule (cards.ecard), not a copy


def offered(business: str, card_state: str | None) -> bool:
    """The catalogue offers ``business`` in the app to the account holder with a card in ``card_state``
    (None: no card in use)."""
    spec = get_catalogue().business(business)
    cell = spec.cell(Channel.APP, ApplicantRole.SELF)
    if cell is None or not cell.allowed:
        return False
    return spec.admits(card_state)  # the catalogue's card rule (requires_no_card, card_states)


def tasks_for(card_state: str | None) -> list[Task]:
    tasks = [Task(business, url_name, str(hint)) for business, (url_name, hint) in APP_PAGES.items()
             if offered(business, card_state)]
    if ecard_offered(card_state):
        url_name, hint, name = ECARD_TASK
        tasks.insert(0, Task("", url_name, str(hint), str(name)))
    return tasks


# The steps a business goes through, as the status page shows them: (label, the statuses at that step).
_STEPS = (
    (_("已提交"), ()),
    (_("审核"), (RequestStatus.PENDING_REVIEW,)),
    (_("办理中"), (RequestStatus.AWAITING_VOUCHER, RequestStatus.AWAITING_SIGNATURE,
                 RequestStatus.AWAITING_FEE, RequestStatus.IN_PRODUCTION)),
    (_("待领取或邮寄中"), (RequestStatus.READY_FOR_PICKUP, RequestStatus.IN_TRANSIT)),
    (_("已办结"), (RequestStatus.COMPLETED,)),
)
ENDED = (RequestStatus.REJECTED, RequestStatus.VOIDED)


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "current" or "todo"


def steps_of(status: str, *, production: bool) -> list[Step]:
    """The steps of a business in ``status``: a business that makes no card (a loss report) has two, 已提交
    and 已办结; one ended by a refusal or voided shows only where it ended (its status label says how)."""
    steps = _STEPS if production else (_STEPS[0], _STEPS[-1])
    if status in ENDED:
        return [Step(str(steps[0][0]), "done")]
    at = next((i for i, (_label, statuses) in enumerate(steps) if status in statuses), len(steps) - 1)
    if status == RequestStatus.COMPLETED:
        return [Step(str(label), "done") for label, _s in steps]
    return [Step(str(label), "done" if i < at else "current" if i == at else "todo")
            for i, (label, _s) in enumerate(steps)]
