# Shared by run_demo.sh and test.sh: make .venv (Python >= 3.11) and install the project into it.
# Usage: . scripts/_venv.sh; ensure_venv "."   or   ensure_venv ".[test]"
# Re-installs only when pyproject.toml changed since the last install (stamp file in .venv).

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "error: Python >= 3.11 is needed (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

ensure_venv() {
  local target="$1" stamp
  if [ ! -x .venv/bin/python ]; then
    local py
    py="$(find_python)"
    echo "==> creating .venv with $("$py" --version 2>&1)"
    "$py" -m venv .venv
  fi
  .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    { echo "error: .venv uses Python < 3.11; remove .venv and retry" >&2; return 1; }
  stamp=".venv/.installed-$(echo "$target" | tr -c 'a-z' '_')"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> pip install -e \"$target\""
    .venv/bin/python -m pip install --quiet -e "$target"
    touch "$stamp"
  fi
}
