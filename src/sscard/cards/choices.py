"""Card vocabulary.  The states and events are the procedure's words (defined in ``policy.choices``, where
the catalogue checks its ``card_states`` and ``reversible_events`` against them); cards adds the AAZ502
code of each state and which states are live."""

from sscard.policy.choices import CardEvent, CardState

__all__ = ["AAZ502", "LIVE_STATES", "CardEvent", "CardState"]


AAZ502 = {
    CardState.MADE: "0",
    CardState.ACTIVE: "1",
    CardState.LOST: "2",
    CardState.LOCKED: "3",
    CardState.LOST_TEMP: "4",
    CardState.CANCELLED: "9",
    CardState.REPLACED: "9",
    CardState.PRODUCED: "0",
}

# A replacement card made while the holder still uses the old one (``produced``) is not live: the old
# card stays in use until the new one is handed over (seed: 现场制卡，激活社保功能并发放).
LIVE_STATES = (CardState.MADE, CardState.ACTIVE, CardState.LOST, CardState.LOCKED, CardState.LOST_TEMP)
