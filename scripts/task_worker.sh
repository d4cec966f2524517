#!/usr/bin/env bash
# The task worker under a supervisor: manage.py run_task_worker restarts its worker after an error; this
# loop restarts the process when it dies outright (killed, out of memory), after 1 s.  TERM / INT stop
# both: the running worker finishes its task (django-tasks-db's graceful stop), then the loop ends.
#   scripts/task_worker.sh [python]   # extra arguments go to run_task_worker (e.g. --worker-id worker-2)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
child=""
stopping=0
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
while [ "$stopping" = 0 ]; do
  "$PY" manage.py run_task_worker "$@" &
  child=$!
  wait "$child"; rc=$?
  # a trapped signal interrupts wait: wait again for the worker to finish its task
  while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
  [ "$stopping" = 1 ] && break
  echo "$(date -u +%FT%TZ) task worker exited ($rc): restarting" >&2
  sleep 1
done
