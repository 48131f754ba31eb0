#!/usr/bin/env bash
# Schemathesis against a live `docket run` (used by .ci/run): a fresh SQLite store and an
# admin token, the server on a free loopback port in the background, then `st run` with the
# server-error and schema-conformance checks; the server is stopped (SIGTERM) afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
config="$PWD/tests/api/config"
work="$(mktemp -d)"
cd "$work"  # the outbox folder and schemathesis' own files land here, not in the checkout
db="sqlite:///$work/docket.db"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$(docket token create --role admin --name schemathesis --db "$db" 2>/dev/null)"
docket run --host 127.0.0.1 --port "$port" --config "$config" --db "$db" --no-access-log \
    --log-level warning 2>"$work/server.log" &
server=$!
stop() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
python - "$port" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("docket run did not answer within 60 s")
        time.sleep(0.1)
PY
set +e
st run "http://127.0.0.1:$port/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --workers 2 \
    --request-timeout 20 \
    --warnings off
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "--- server log (last 60 lines) ---" >&2
    tail -n 60 "$work/server.log" >&2
fi
exit "$status"
