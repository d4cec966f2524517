#!/usr/bin/env bash
# Run the test suite: creates .venv if needed, installs the project with its test extras, runs pytest.
#   ./scripts/test.sh                       # SQLite (no server needed)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ./scripts/test.sh   # PostgreSQL (creates test_test)
# Extra arguments go to pytest, e.g. ./scripts/test.sh src/sscard/cards -x
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv ".[test]"
if [ -n "${DATABASE_URL:-}" ]; then echo "==> pytest on DATABASE_URL (PostgreSQL)"; else echo "==> pytest on SQLite"; fi
exec .venv/bin/python -m pytest "$@"
