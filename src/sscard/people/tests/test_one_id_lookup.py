"""Every ID-number lookup goes through ``people.lookup`` (the canonical form, 15 digits as 18): no module
hashes an identity number itself.  ``staff.services.citizen_sign_in`` is the one exception the layers
force (``staff`` sits below ``people``): its only caller, the API's sign-in route, passes the canonical
number, which ``api/tests/test_legacy_id_numbers.py`` holds."""

import re
from pathlib import Path

import sscard

ROOT = Path(sscard.__file__).parent
ID_HASH = re.compile(r"lookup_hash\([^)]*purpose=\"id\"")
# staff/lockout.py keys an app user's failed sign-ins by the same hash, of the number the sign-in route
# already made canonical (staff sits below people, as for staff/services.py)
ALLOWED = {"people/lookup.py", "people/models.py", "staff/services.py", "staff/lockout.py"}


def test_no_module_hashes_an_id_number_but_people_lookup():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or rel in ALLOWED:
            continue
        if ID_HASH.search(path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []

