"""The state tables of central production: ``{(stage, event): next_stage}`` for items and for orders.

An item is one card of an order (one accepted batch row).  Batch to individual (批量转零星) is allowed only
in ``convertible_stages()``: card data generated but the card not in production (catalogue setting
``batch_to_individual_stages``; an item whose file is out at the bank or the vendor cannot be pulled back).
"""

from sscard.policy.catalogue import policy_setting
from sscard.production.choices import ItemEvent as IE
from sscard.production.choices import ItemStage as IS
from sscard.production.choices import OrderStage as OS

ITEM_TRANSITIONS = {
    (IS.GENERATED, IE.SEND_BANK): IS.BANK_SENT,
    (IS.GENERATED, IE.CONVERT): IS.REMOVED,
    (IS.BANK_SENT, IE.BANK_OK): IS.BANK_OPENED,
    (IS.BANK_SENT, IE.BANK_FAIL): IS.FAILED,
    (IS.BANK_OPENED, IE.SEND_VENDOR): IS.VENDOR_SENT,
    (IS.BANK_OPENED, IE.CONVERT): IS.REMOVED,
    (IS.VENDOR_SENT, IE.VENDOR_OK): IS.MADE,
    (IS.VENDOR_SENT, IE.VENDOR_FAIL): IS.FAILED,
    (IS.MADE, IE.SHIP): IS.IN_TRANSIT,
    (IS.IN_TRANSIT, IE.ARRIVE): IS.READY,
    (IS.READY, IE.PICK_UP): IS.PICKED_UP,
}

ORDER_TRANSITIONS = {
    (OS.GENERATED, "send_bank"): OS.BANK_SENT,
    (OS.BANK_SENT, "bank_result"): OS.BANK_DONE,
    (OS.BANK_DONE, "send_vendor"): OS.VENDOR_SENT,
    (OS.BANK_DONE, "close"): OS.CLOSED,  # every item failed or left: nothing to make
    (OS.VENDOR_SENT, "vendor_result"): OS.VENDOR_DONE,
    (OS.VENDOR_DONE, "ship"): OS.IN_TRANSIT,
    (OS.VENDOR_DONE, "close"): OS.CLOSED,
    (OS.IN_TRANSIT, "arrive"): OS.ARRIVED,
    (OS.ARRIVED, "close"): OS.CLOSED,
    (OS.GENERATED, "close"): OS.CLOSED,  # every item left before the bank file went out
}

# Stages in which an item still counts as open work of its order (not failed, left or picked up).
OPEN_ITEM_STAGES = (IS.GENERATED, IS.BANK_SENT, IS.BANK_OPENED, IS.VENDOR_SENT, IS.MADE, IS.IN_TRANSIT, IS.READY)


def next_item_stage(stage: str, event: str) -> str | None:
    return ITEM_TRANSITIONS.get((stage, event))


def next_order_stage(stage: str, event: str) -> str | None:
    return ORDER_TRANSITIONS.get((stage, event))


def convertible_stages() -> tuple[str, ...]:
    return tuple(policy_setting("batch_to_individual_stages"))
