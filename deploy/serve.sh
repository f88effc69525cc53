#!/usr/bin/env bash
# The production stack on one machine (`make serve`): migrations, cache table and static files,
# then the task worker(s) and gunicorn. Stops everything when either stops or on Ctrl+C.
# Configure with the environment (docs/DEPLOYMENT.md); a .env file beside manage.py is read.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export DEBUG="${DEBUG:-false}" TASK_BACKEND="${TASK_BACKEND:-database}"
: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://llct@127.0.0.1:5432/llct}"
if [ -z "${SECRET_KEY:-}" ]; then
  # One machine without a configured key: make one, once, readable only by this user.
  mkdir -p var
  [ -s var/secret_key ] || (umask 077 && .venv/bin/python -c \
    'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key)
  SECRET_KEY="$(cat var/secret_key)"; export SECRET_KEY
fi
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput -v0

pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 "${TASK_WORKERS:-1}"); do
  $PY manage.py worker --no-reload &
  pids+=($!)
done
.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi &
pids+=($!)
echo "LLCT serves on http://${BIND:-127.0.0.1:8000}/ (health: /healthz)"
wait -n
