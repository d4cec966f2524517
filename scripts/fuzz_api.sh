#!/usr/bin/env bash
# The long schemathesis run over the API (nightly): every operation of the OpenAPI document with
# schemathesis's examples, coverage and fuzzing phases, positive and negative data, a window clerk's and an
# app user's token; then the suite's bounded run with new random data.  0 server errors expected.
#   ./scripts/fuzz_api.sh                          # SQLite, 100 examples per operation and mode
#   SSCARD_FUZZ_EXAMPLES=500 ./scripts/fuzz_api.sh # longer
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuzz ./scripts/fuzz_api.sh --create-db   # PostgreSQL
# Extra arguments go to pytest (e.g. -x, -k "cards").  Takes about an hour at 100 on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv ".[test]"
export SSCARD_FUZZ_EXAMPLES="${SSCARD_FUZZ_EXAMPLES:-100}"
.venv/bin/python -m pytest -p no:cacheprovider src/sscard/api/tests/fuzz_nightly.py "$@"
SSCARD_FUZZ_RANDOM=1 exec .venv/bin/python -m pytest -p no:cacheprovider src/sscard/api/tests/test_openapi_fuzz.py "$@"
