# Sourced by scripts/start and scripts/test: finds Python 3.10, keeps .venv in step with the pinned packages and
# web/node_modules with web/package-lock.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python310() {
  local candidates=("${PYTHON:-}" python3.10) candidate
  if command -v pyenv >/dev/null 2>&1; then candidates+=("$(pyenv root)"/versions/3.10.*/bin/python3.10); fi
  candidates+=("$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10)
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  local stamp="$VENV/.installed" wanted
  wanted="$(cat "$ROOT/requirements.txt" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    local python
    if ! python="$(find_python310)"; then
      cat >&2 <<'MSG'
Python 3.10 was not found, and Rasa 3.6 needs it (it does not run on 3.11 or newer).
Install it, for example with `pyenv install 3.10.13` or your system's `python3.10` package,
or point to it with PYTHON=/path/to/python3.10 and run this command again.
MSG
      exit 1
    fi
    echo "Creating the virtual environment in .venv with $python …"
    "$python" -m venv "$VENV"
  fi
  echo "Installing the pinned packages into .venv (first time: a few minutes) …"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.2"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    -r "$ROOT/requirements.txt" -c "$ROOT/constraints.txt"
  echo "$wanted" > "$stamp"
}

# The web chat's widget (npm rasa-webchat, served by the staff service); everything else works without it.
ensure_web() {
  local web="$ROOT/web" stamp="$ROOT/web/node_modules/.installed" wanted
  wanted="$(sha256sum < "$web/package-lock.json" | cut -c1-16)"
  if [ -f "$web/node_modules/rasa-webchat/lib/index.js" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "Warning: npm was not found, so the web chat is unavailable (everything else works)." \
         "Install Node.js with npm and run this command again to get it." >&2
    return 0
  fi
  echo "Installing the web chat widget into web/node_modules …"
  if ! (cd "$web" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "Warning: npm ci failed in web/, so the web chat is unavailable (everything else works)." >&2
    return 0
  fi
  echo "$wanted" > "$stamp"
}

ensure_venv
ensure_web
export PATH="$VENV/bin:$PATH" PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}" SQLALCHEMY_SILENCE_UBER_WARNING=1
cd "$ROOT"
