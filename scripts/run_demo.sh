#!/usr/bin/env bash
# The embedded demo: .venv, install, migrate SQLite under var/, load demo data, start a task worker and
# the web server, and run the due sweeps every 10 minutes.  Ctrl-C stops them all.  Needs only Python >= 3.11 (and network access for pip).
#   ./scripts/run_demo.sh            # http://127.0.0.1:8000/api/v1/docs
#   PORT=9000 ./scripts/run_demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv "."

PORT="${PORT:-8000}"
PY=.venv/bin/python
export SSCARD_VAR_DIR="${SSCARD_VAR_DIR:-$PWD/var}"
# The demo's bank and card vendor are simulated: they answer the production files locally.
export SSCARD_SIMULATE_PARTNERS="${SSCARD_SIMULATE_PARTNERS:-1}"
mkdir -p "$SSCARD_VAR_DIR"

if [ -n "${DATABASE_URL:-}" ]; then DB_DESC="DATABASE_URL"; else DB_DESC="SQLite $SSCARD_VAR_DIR/sscard.sqlite3"; fi
echo "==> migrate ($DB_DESC)"
"$PY" manage.py migrate --no-input -v 0
echo "==> load_demo_data"
DEMO_OUT="$SSCARD_VAR_DIR/demo-logins.txt"
"$PY" manage.py load_demo_data | tee "$DEMO_OUT"

echo "==> task worker (supervised: restarts itself, resumes a batch left half-way) -> $SSCARD_VAR_DIR/db_worker.log"
PY="$PY" scripts/task_worker.sh >"$SSCARD_VAR_DIR/db_worker.log" 2>&1 &
WORKER_PID=$!
echo "==> due sweeps and production exchange (every 10 min) -> $SSCARD_VAR_DIR/sweeps.log"
(
  trap 'kill "$nap" 2>/dev/null; wait "$nap" 2>/dev/null; exit 0' TERM
  while true; do
    sleep 600 & nap=$!
    wait "$nap"
    "$PY" manage.py run_due_sweeps || true
    "$PY" manage.py run_production_exchange || true
  done
) >"$SSCARD_VAR_DIR/sweeps.log" 2>&1 &
SWEEP_PID=$!
echo "==> audit sequencer (signs the audit tree head every 5 s) -> $SSCARD_VAR_DIR/audit_sequence.log"
"$PY" manage.py audit_sequence --loop --interval 5 >"$SSCARD_VAR_DIR/audit_sequence.log" 2>&1 &
SEQUENCER_PID=$!
echo "==> SMS relay (sends the notification outbox every 5 s, simulated gateway) -> $SSCARD_VAR_DIR/notify_relay.log"
"$PY" manage.py notify_relay --loop --interval 5 >"$SSCARD_VAR_DIR/notify_relay.log" 2>&1 &
RELAY_PID=$!
SERVER_PID=""
cleanup() {
  trap - EXIT INT TERM
  for pid in $SERVER_PID "$SWEEP_PID" "$SEQUENCER_PID" "$RELAY_PID" "$WORKER_PID"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat <<MSG

============================================================================
 重庆市第三代社保卡业务经办 — demo running
   Pages (工作台):       http://127.0.0.1:${PORT}/   window clerk: clerk_yz / demo-pass-123
                        (supervisor, reviewer, hotline, auditor: same password; see README)
   Sample ID photo to upload at the window: ${SSCARD_VAR_DIR}/demo-photo.jpg
   API docs (Swagger):  http://127.0.0.1:${PORT}/api/v1/docs
   OpenAPI document:    http://127.0.0.1:${PORT}/api/v1/openapi.json
   Django admin:        http://127.0.0.1:${PORT}/admin/   (admin / demo-pass-123)
   Demo logins above; also saved in ${DEMO_OUT}
   Sign in: POST /api/v1/auth/staff-token {"username": "clerk_yz", "password": "demo-pass-123"}
            then click "Authorize" in the docs and paste the token.
   Ctrl-C stops the server, the task worker and the sweeps.
============================================================================

MSG
# In the background so that Ctrl-C / TERM reach the traps at once; the cleanup stops all three.
"$PY" manage.py runserver "0.0.0.0:${PORT}" --noreload &
SERVER_PID=$!
wait "$SERVER_PID"
