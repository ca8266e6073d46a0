#!/usr/bin/env bash
# Interchangeability with Flask-SQLAlchemy (python3 with flask-sqlalchemy; psycopg for the
# PostgreSQL half):
# - SQLite: every example's database file reads through the tutorial's own models exactly like
#   the file Flask-SQLAlchemy itself wrote (tests/fixtures/sqlalchemy/<name>.db);
# - PostgreSQL, both ways: the database an example writes reads through the Python models like
#   the one the Python usage code writes, and the example's `--read` prints, from the Python
#   database, what it prints from its own.
# The PostgreSQL half needs the server at $RELATIONS_PG (default postgres@127.0.0.1:5432); it is
# skipped with a line saying so when there is none, unless RELATIONS_REQUIRE_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
names="author_book one_to_many one_to_one many_to_many self_referential blog back_populates library social lazy_joined n_plus_one cascade ecommerce"
status=0
passed=0
failed=0
for name in $names; do
  cargo run --quiet --example "$name" -- "$work/$name.db" > /dev/null
  cp "tests/fixtures/sqlalchemy/$name.db" "$work/$name.python.db"
  python3 tests/interop/read_with_flask.py "$name" "$work/$name.python.db" > "$work/$name.python.txt"
  python3 tests/interop/read_with_flask.py "$name" "$work/$name.db" > "$work/$name.relations.txt"
  if diff -u "$work/$name.python.txt" "$work/$name.relations.txt"; then
    echo "interop sqlite $name: Flask-SQLAlchemy reads the relations file like its own ($(wc -l < "$work/$name.python.txt") lines)"
    passed=$((passed + 1))
  else
    echo "interop sqlite $name: FAILED"; status=1
    failed=$((failed + 1))
  fi
done

server="${RELATIONS_PG:-postgres@127.0.0.1:5432}"
export PGOPTIONS="-c client_min_messages=warning"
psql_admin() { psql -q -X -v ON_ERROR_STOP=1 "postgresql://$server/postgres" -c "$1" > /dev/null; }
if ! command -v psql > /dev/null || ! psql -q -X "postgresql://$server/postgres" -c 'SELECT 1' > /dev/null 2>&1; then
  if [ "${RELATIONS_REQUIRE_POSTGRES:-0}" != 0 ]; then
    echo "interop postgresql: no server at postgresql://$server, and RELATIONS_REQUIRE_POSTGRES is set"; exit 1
  fi
  echo "interop postgresql: skipped, no server at postgresql://$server"
elif ! python3 -c 'import psycopg' 2> /dev/null; then
  echo "interop postgresql: FAILED, python3 has no psycopg"; status=1
else
  for name in $names; do
    ours="relations_interop_$$_${name}_rs"
    theirs="relations_interop_$$_${name}_py"
    psql_admin "DROP DATABASE IF EXISTS $ours WITH (FORCE)"
    psql_admin "DROP DATABASE IF EXISTS $theirs WITH (FORCE)"
    psql_admin "CREATE DATABASE $theirs"
    # relations writes one database (the example creates it), Flask-SQLAlchemy the other
    cargo run --quiet --example "$name" -- "postgresql://$server/$ours" > /dev/null
    python3 tests/interop/write_with_flask.py "$name" "postgresql+psycopg://$server/$theirs" > /dev/null
    python3 tests/interop/read_with_flask.py "$name" "postgresql+psycopg://$server/$theirs" > "$work/$name.pg.python.txt"
    python3 tests/interop/read_with_flask.py "$name" "postgresql+psycopg://$server/$ours" > "$work/$name.pg.relations.txt"
    cargo run --quiet --example "$name" -- --read "postgresql://$server/$theirs" > "$work/$name.pg.read-python.txt" 2> "$work/$name.err" \
      || { cat "$work/$name.err"; exit 1; }
    cargo run --quiet --example "$name" -- --read "postgresql://$server/$ours" > "$work/$name.pg.read-relations.txt" 2> "$work/$name.err" \
      || { cat "$work/$name.err"; exit 1; }
    if diff -u "$work/$name.pg.python.txt" "$work/$name.pg.relations.txt" \
      && diff -u "$work/$name.pg.read-relations.txt" "$work/$name.pg.read-python.txt"; then
      echo "interop postgresql $name: each side reads the other's database like its own ($(wc -l < "$work/$name.pg.python.txt") + $(wc -l < "$work/$name.pg.read-python.txt") lines)"
      passed=$((passed + 1))
    else
      echo "interop postgresql $name: FAILED"; status=1
      failed=$((failed + 1))
    fi
    psql_admin "DROP DATABASE $ours WITH (FORCE)"
    psql_admin "DROP DATABASE $theirs WITH (FORCE)"
  done
fi
echo "interop: $passed passed, $failed failed"
exit $status
