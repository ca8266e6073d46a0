#!/usr/bin/env bash
# 20,000 mixed requests from 200 concurrent clients against a release build of
# examples/blog_api.rs, then a check of the database it wrote, then SIGINT and a clean exit.
#
#   scripts/blog_api_load.sh                                  # a new SQLite file
#   scripts/blog_api_load.sh postgresql://postgres@127.0.0.1:5432/blog_load   # a new PostgreSQL database
#   REQUESTS=5000 CONCURRENCY=100 scripts/blog_api_load.sh
#
# The PostgreSQL database is created (and dropped first if it exists) through the server's
# `postgres` database with psql.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${REQUESTS:-20000}"
concurrency="${CONCURRENCY:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

database="${1:-$work/blog_api.db}"
if [[ "$database" == postgres* ]]; then
  name="${database##*/}"
  psql -q "${database%/*}/postgres" -c "DROP DATABASE IF EXISTS \"$name\"" -c "CREATE DATABASE \"$name\""
fi

cargo build --release --quiet --example blog_api --example blog_api_load
DATABASE_URL="$database" PORT=0 RUST_LOG=warn target/release/examples/blog_api > "$work/out" 2> "$work/err" &
service=$!
for _ in $(seq 1 100); do grep -q listening "$work/out" 2> /dev/null && break; sleep 0.1; done
base="$(sed -n 's/^listening on //p' "$work/out")"
echo "blog_api on $database at $base; $requests requests from $concurrency clients"

status=0
target/release/examples/blog_api_load "$base" "$database" "$requests" "$concurrency" || status=$?

kill -INT "$service"
if wait "$service"; then echo "blog_api shut down cleanly on SIGINT"; else echo "blog_api exited with $?"; status=1; fi
grep -i "panicked" "$work/err" && status=1
exit "$status"
