"""Reads a scenario's database through the tutorial's own Flask-SQLAlchemy models and prints
every row and every relationship, as SQLAlchemy decodes them.

    python3 tests/interop/read_with_flask.py <scenario> <database file or SQLAlchemy URL>

Run on the file a `relations` example wrote and on the file the Python usage code wrote, the two
outputs must be equal: the databases are interchangeable. Values that are "now" at write time
(columns with a callable default that the usage code leaves unset) print as their type only.
"""
import os
import sys

from flask import Flask
from sqlalchemy import inspect

name, target = sys.argv[1], sys.argv[2]
uri = target if '://' in target else 'sqlite:///' + os.path.abspath(target)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # seed_models.py, the tutorial's models
import seed_models  # noqa: E402

m = seed_models.build(name)
app = Flask(name)
app.config['SQLALCHEMY_DATABASE_URI'] = uri
m.db.init_app(app)


def show(value, column):
    default = column.default
    if default is not None and callable(getattr(default, 'arg', None)) and column.name in ('created_at', 'timestamp') and name == 'blog':
        return f'<{type(value).__name__}>'
    return repr(value)


def key(obj):
    return tuple(inspect(obj).identity)


with app.app_context():
    mappers = sorted(m.db.Model.registry.mappers, key=lambda mp: mp.local_table.name)
    for mapper in mappers:
        cls = mapper.class_
        rows = cls.query.order_by(*mapper.primary_key).all()
        print(f'table {mapper.local_table.name}: {len(rows)} rows')
        for obj in rows:
            cols = ', '.join(f'{c.key}={show(getattr(obj, c.key), c)}' for c in mapper.column_attrs for c in [c.columns[0]])
            print(f'  {key(obj)}: {cols}')
            for rel in sorted(mapper.relationships, key=lambda r: r.key):
                value = getattr(obj, rel.key)
                if hasattr(value, 'all') and not isinstance(value, list):
                    value = value.all()
                if rel.uselist:
                    print(f'    {rel.key} -> {sorted(key(v) for v in value)}')
                else:
                    print(f'    {rel.key} -> {key(value) if value is not None else None}')
