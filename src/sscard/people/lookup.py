"""Finding a person by an identity number: the keyed hashes of ``idnumbers.canonical_number``.

Every path that accepts an identity number (the intake and its document lookups, the status query, the
batches, the hotline's caller check, the citizen sign-in, the kiosk, the admin search) hashes it here, so
a 15-digit legacy number, a lower-case ``x`` or full-width digits find the same person as the 18-digit
number stored.
"""

from sscard.core.crypto import lookup_hash
from sscard.people.idnumbers import canonical_number


def id_hash(number: str, doc_type: str | None = None) -> str:
    """The ``Person.id_hash`` of ``number`` (of document type ``doc_type``, when known)."""
    return lookup_hash(canonical_number(number, doc_type), purpose="id")


def id_hashes(number: str, doc_type: str | None = None) -> list[str]:
    """The hashes a number may be stored under: its canonical form, and when the document type is not
    known and the number was upgraded, the number as given too (a 15-digit passport number is stored as
    is)."""
    first = id_hash(number, doc_type)
    if doc_type is None:
        plain = lookup_hash(number, purpose="id")
        if plain != first:
            return [first, plain]
    return [first]
