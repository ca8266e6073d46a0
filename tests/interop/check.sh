#!/usr/bin/env bash
# Reads every example's database file through the tutorial's own Flask-SQLAlchemy models and
# checks that it reads exactly like the file Flask-SQLAlchemy itself wrote
# (tests/fixtures/sqlalchemy/<name>.db). Needs python3 with flask-sqlalchemy.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
passed=0
failed=0
for name in author_book one_to_many one_to_one many_to_many self_referential blog back_populates library social lazy_joined n_plus_one cascade ecommerce; do
  cargo run --quiet --example "$name" -- "$work/$name.db" > /dev/null
  cp "tests/fixtures/sqlalchemy/$name.db" "$work/$name.python.db"
  python3 tests/interop/read_with_flask.py "$name" "$work/$name.python.db" > "$work/$name.python.txt"
  python3 tests/interop/read_with_flask.py "$name" "$work/$name.db" > "$work/$name.relations.txt"
  if diff -u "$work/$name.python.txt" "$work/$name.relations.txt"; then
    echo "interop $name: Flask-SQLAlchemy reads the relations file like its own ($(wc -l < "$work/$name.python.txt") lines)"
    passed=$((passed + 1))
  else
    echo "interop $name: FAILED"; status=1
    failed=$((failed + 1))
  fi
done
echo "interop: $passed passed, $failed failed"
exit $status
