#!/usr/bin/env bash
# Interchangeability with Flask-SQLAlchemy (python3 with flask-sqlalchemy; psycopg for the
# PostgreSQL half):
# - SQLite: every example's database file reads through the tutorial's own models exactly like
#   the file Flask-SQLAlchemy itself wrote (tests/fixtures/sqlalchemy/<name>.db);
# - PostgreSQL, both ways: the database an example writes reads through the Python models like
#   the one the Python usage code writes, and the example's `--read` prints, from the Python
#   database, what it prints from its own.
# - MariaDB, both ways, the same (through PyMySQL, SQLAlchemy's `mysql+pymysql://` driver).
# The PostgreSQL half needs the server at $RELATIONS_PG (default postgres@127.0.0.1:5432), the
# MariaDB half the one at $RELATIONS_MARIADB (default root@127.0.0.1:3306); each is skipped with
# a line saying so when there is none, unless RELATIONS_REQUIRE_POSTGRES=1 or
# RELATIONS_REQUIRE_MARIADB=1.
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

# One example on a server, both ways: relations writes `ours` (the example creates it),
# Flask-SQLAlchemy writes `theirs` (created empty); each side reads both, and must print the
# same for the two. Arguments: label, relations' server URL, SQLAlchemy's, example, ours, theirs.
both_ways() {
  local label=$1 rs=$2 py=$3 name=$4 ours=$5 theirs=$6
  cargo run --quiet --example "$name" -- "$rs/$ours" > /dev/null
  python3 tests/interop/write_with_flask.py "$name" "$py/$theirs" > /dev/null
  python3 tests/interop/read_with_flask.py "$name" "$py/$theirs" > "$work/$name.$label.python.txt"
  python3 tests/interop/read_with_flask.py "$name" "$py/$ours" > "$work/$name.$label.relations.txt"
  cargo run --quiet --example "$name" -- --read "$rs/$theirs" > "$work/$name.$label.read-python.txt" 2> "$work/$name.err" \
    || { cat "$work/$name.err"; exit 1; }
  cargo run --quiet --example "$name" -- --read "$rs/$ours" > "$work/$name.$label.read-relations.txt" 2> "$work/$name.err" \
    || { cat "$work/$name.err"; exit 1; }
  if diff -u "$work/$name.$label.python.txt" "$work/$name.$label.relations.txt" \
    && diff -u "$work/$name.$label.read-relations.txt" "$work/$name.$label.read-python.txt"; then
    echo "interop $label $name: each side reads the other's database like its own ($(wc -l < "$work/$name.$label.python.txt") + $(wc -l < "$work/$name.$label.read-python.txt") lines)"
    passed=$((passed + 1))
  else
    echo "interop $label $name: FAILED"; status=1
    failed=$((failed + 1))
  fi
}

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
    both_ways postgresql "postgresql://$server" "postgresql+psycopg://$server" "$name" "$ours" "$theirs"
    psql_admin "DROP DATABASE $ours WITH (FORCE)"
    psql_admin "DROP DATABASE $theirs WITH (FORCE)"
  done
fi
mserver="${RELATIONS_MARIADB:-root@127.0.0.1:3306}"
mhost="${mserver#*@}"
muser="${mserver%@*}"
mariadb_admin() { mariadb -h "${mhost%:*}" -P "${mhost#*:}" -u "$muser" --protocol=tcp -e "$1"; }
if ! command -v mariadb > /dev/null || ! mariadb_admin 'SELECT 1' > /dev/null 2>&1; then
  if [ "${RELATIONS_REQUIRE_MARIADB:-0}" != 0 ]; then
    echo "interop mariadb: no server at mysql://$mserver, and RELATIONS_REQUIRE_MARIADB is set"; exit 1
  fi
  echo "interop mariadb: skipped, no server at mysql://$mserver"
elif ! python3 -c 'import pymysql' 2> /dev/null; then
  echo "interop mariadb: FAILED, python3 has no pymysql"; status=1
else
  for name in $names; do
    ours="relations_interop_$$_${name}_rs"
    theirs="relations_interop_$$_${name}_py"
    mariadb_admin "DROP DATABASE IF EXISTS $ours; DROP DATABASE IF EXISTS $theirs; CREATE DATABASE $theirs"
    both_ways mariadb "mysql://$mserver" "mysql+pymysql://$mserver" "$name" "$ours" "$theirs"
    mariadb_admin "DROP DATABASE $ours; DROP DATABASE $theirs"
  done
fi
echo "interop: $passed passed, $failed failed"
exit $status
