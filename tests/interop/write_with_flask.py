"""Runs a scenario's usage code through the tutorial's own Flask-SQLAlchemy models on a new,
empty database, as the tutorial does, and prints what the usage code prints.

    python3 tests/interop/write_with_flask.py <scenario> <SQLAlchemy database URL>

`cargo run --example <scenario> -- --read <the same database>` must then read back what the
Python side wrote exactly as it reads its own.
"""
import os
import sys

from flask import Flask

name, url = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # seed_models.py, usage.py
import seed_models  # noqa: E402
import usage  # noqa: E402

m = seed_models.build(name)
app = Flask(name)
app.config['SQLALCHEMY_DATABASE_URI'] = url
m.db.init_app(app)

with app.app_context():
    m.db.create_all()
    getattr(usage, name)(m)
