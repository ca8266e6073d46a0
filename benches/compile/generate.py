#!/usr/bin/env python3
"""Writes two application crates from one SQLite schema, for the compile-time benchmark.

    generate.py <schema.sql> <models> <out-dir>

reads the CREATE TABLE statements of <schema.sql> (shop21.sql's dialect: one column per line,
inline REFERENCES, table-level PRIMARY KEY / UNIQUE), takes its tables in order -- again and
again with a numeric suffix (`users_2`, ...) when <models> is larger than the schema, so a copy
only references tables of its own copy, declared before -- and writes

    <out-dir>/relations/  a crate with one `#[derive(Model)]` struct per table, relationships both
                          ways (belongs_to and has_many / has_one back, many_to_many through the
                          association models, self_ref), and `exercise`, which creates the schema,
                          inserts a row into every table, reads every table and eager-loads every
                          collection;
    <out-dir>/diesel/     the same crate written with Diesel 2.3: `table!`, `joinable!`, models
                          deriving Queryable, Selectable, Identifiable, Associations and
                          Insertable, and the same `exercise` (belonging_to + grouped_by).

Both crates have a `main` that runs `exercise` on an in-memory database and prints one number
per step, so the two can be checked to do the same work. Nothing here is imported by the
workspace; `benches/compile/measure.sh` builds the crates and times them.
"""
import os
import re
import sys

TYPES = {  # SQL type -> (Rust type, Diesel SQL type)
    "INTEGER": ("i64", "BigInt"),
    "TEXT": ("String", "Text"),
    "BOOLEAN": ("bool", "Bool"),
    "REAL": ("f64", "Double"),
    "TIMESTAMP": ("NaiveDateTime", "Timestamp"),
    "DATE": ("NaiveDate", "Date"),
}


def parse(path):
    sql = open(path).read()
    tables = []
    for m in re.finditer(r"CREATE TABLE (\w+) \((.*?)\n\);", sql, re.S):
        name, body = m.group(1), m.group(2)
        cols, pk, uniques = [], [], []
        for line in body.split("\n"):
            line = line.strip().rstrip(",")
            if not line:
                continue
            t = re.match(r"PRIMARY KEY \(([^)]*)\)", line)
            if t:
                pk = [c.strip() for c in t.group(1).split(",")]
                continue
            t = re.match(r"UNIQUE \(([^)]*)\)", line)
            if t:
                uniques.append([c.strip() for c in t.group(1).split(",")])
                continue
            words = line.split()
            col = {"name": words[0], "type": words[1], "null": "NOT NULL" not in line,
                   "unique": " UNIQUE" in line, "ref": None}
            r = re.search(r"REFERENCES (\w+)\((\w+)\)", line)
            if r:
                col["ref"] = r.group(1)
            if "PRIMARY KEY" in line:
                pk = [col["name"]]
                col["null"] = False
            cols.append(col)
        tables.append({"name": name, "cols": cols, "pk": pk, "uniques": uniques})
    return tables


def scale(tables, n):
    out = []
    copy = 0
    while len(out) < n:
        copy += 1
        suffix = "" if copy == 1 else f"_{copy}"
        for t in tables:
            if len(out) == n:
                break
            out.append({
                "name": t["name"] + suffix,
                "cols": [dict(c, ref=(c["ref"] + suffix if c["ref"] else None)) for c in t["cols"]],
                "pk": t["pk"],
                "uniques": t["uniques"],
            })
    return out


def camel(s):
    return "".join(p[:1].upper() + p[1:] for p in s.split("_"))


def singular(s):
    m = re.match(r"(.*?)(_\d+)?$", s)
    base, suffix = m.group(1), m.group(2) or ""
    if base.endswith("ies"):
        base = base[:-3] + "y"
    elif base.endswith("sses"):
        base = base[:-2]
    elif base.endswith("s"):
        base = base[:-1]
    return base + suffix


def model_name(table):
    return camel(singular(table))


def link_name(col):
    """`author_id` -> `author`"""
    return col[:-3] if col.endswith("_id") else col + "_ref"


def analyse(tables):
    """Each table's foreign keys, each parent's collections, and which tables are associations
    (a composite primary key of two foreign keys)."""
    by_name = {t["name"]: t for t in tables}
    for t in tables:
        t["fks"] = [c for c in t["cols"] if c["ref"]]
        t["assoc"] = len(t["pk"]) == 2 and all(
            any(c["name"] == k and c["ref"] for c in t["cols"]) for k in t["pk"])
        t["children"] = []
    for t in tables:
        for c in t["fks"]:
            parent = by_name[c["ref"]]
            if parent is t:
                continue  # self_ref: children declared on the link itself
            # the collection on the parent: the child table's name, qualified by the link when
            # the child holds two links to the same parent (messages: sender, recipient)
            same = [d for d in t["fks"] if d["ref"] == c["ref"]]
            coll = t["name"] if len(same) == 1 else f"{link_name(c['name'])}_{t['name']}"
            coll = re.sub(r"_\d+$", "", coll)
            one = c["unique"]
            parent["children"].append({"child": t, "col": c, "field": singular(coll) if one else coll,
                                       "one": one})
    return by_name


# ---------------------------------------------------------------- relations

def rust_type(c):
    ty = TYPES[c["type"]][0]
    return f"Option<{ty}>" if c["null"] else ty


def value(c, i):
    """A literal for column c of the row numbered i."""
    ty = c["type"]
    if ty == "INTEGER":
        v = str(i)
    elif ty == "TEXT":
        v = f'format!("{c["name"]}-{i}")'
    elif ty == "BOOLEAN":
        v = "true"
    elif ty == "REAL":
        v = f"{i}.5"
    elif ty == "TIMESTAMP":
        v = "stamp()"
    else:
        v = "day()"
    return f"Some({v})" if c["null"] else v


def relations_crate(tables, by_name):
    out = ["//! Generated by benches/compile/generate.py: do not edit.",
           "#![allow(dead_code)]",
           "use relations::chrono::{NaiveDate, NaiveDateTime};",
           "use relations::{selectinload, BelongsTo, Db, HasMany, HasOne, ManyToMany, Model, Result};",
           "",
           "fn stamp() -> NaiveDateTime { NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap() }",
           "fn day() -> NaiveDate { NaiveDate::from_ymd_opt(2026, 1, 2).unwrap() }",
           ""]
    for t in tables:
        m = model_name(t["name"])
        attrs = [f"table = {t['name']}"]
        for u in t["uniques"]:
            attrs.append("unique(" + ", ".join(f'"{c}"' for c in u) + ")")
        out.append("#[derive(Model, Debug)]")
        out.append(f"#[model({', '.join(attrs)})]")
        out.append(f"pub struct {m} {{")
        for c in t["cols"]:
            key = c["name"] in t["pk"] and c["name"] != "id"
            if c["ref"]:
                parent = by_name[c["ref"]]
                p = model_name(parent["name"])
                if key:
                    out.append("    #[key]")
                if parent is t:
                    out.append(f"    #[self_ref(children = reports, column = {c['name']})]")
                    out.append(f"    pub {link_name(c['name'])}: BelongsTo<Option<{p}>>,")
                    continue
                inv = next(ch["field"] for ch in parent["children"] if ch["col"] is c)
                opts = [p, f"column = {c['name']}", f"inverse = {inv}"]
                if c["unique"]:
                    opts.append("unique")
                out.append(f"    #[belongs_to({', '.join(opts)})]")
                ty = f"Option<{p}>" if c["null"] else p
                out.append(f"    pub {link_name(c['name'])}: BelongsTo<{ty}>,")
            else:
                if key:
                    out.append("    #[key]")
                if c["unique"]:
                    out.append("    #[column(unique)]")
                out.append(f"    pub {c['name']}: {rust_type(c)},")
        for ch in t["children"]:
            cm = model_name(ch["child"]["name"])
            link = link_name(ch["col"]["name"])
            if ch["one"]:
                out.append(f"    #[has_one({cm}, inverse = {link})]")
                out.append(f"    pub {ch['field']}: HasOne<{cm}>,")
            else:
                out.append(f"    #[has_many({cm}, inverse = {link})]")
                out.append(f"    pub {ch['field']}: HasMany<{cm}>,")
            child = ch["child"]
            if child["assoc"] and ch["col"]["name"] == child["pk"][0]:
                other = next(c for c in child["fks"] if c["name"] == child["pk"][1])
                target = by_name[other["ref"]]
                if target is not t:
                    om = model_name(target["name"])
                    opts = f"through = {cm}, local = {ch['col']['name']}, remote = {other['name']}"
                    out.append(f"    #[many_to_many({om}, {opts})]")
                    out.append(f"    pub {re.sub(r'_[0-9]+$', '', target['name'])}: ManyToMany<{om}>,")
        out.append("}")
        out.append("")
    out.append("/// Creates the schema, writes a row into every table, reads every table and eager-loads")
    out.append("/// every collection; returns the number of rows seen at each step.")
    out.append("pub fn exercise(db: &Db) -> Result<Vec<usize>> {")
    out.append("    let mut seen = Vec::new();")
    # create_all takes a tuple; nest tuples of at most 12 models
    out.append(f"    {create_all(tables)}")
    for t in tables:
        m = model_name(t["name"])
        fields = []
        for c in t["cols"]:
            if c["name"] == "id":
                fields.append("id: 1")
            elif c["ref"]:
                fields.append(f"{link_name(c['name'])}: BelongsTo::from_key({value(c, 1)})")
            else:
                fields.append(f"{c['name']}: {value(c, 1)}")
        out.append(f"    db.add({m} {{ {', '.join(fields)}, ..Default::default() }})?;")
    for t in tables:
        m = model_name(t["name"])
        out.append(f"    seen.push({m}::query(db).all()?.len());")
    for t in tables:
        m = model_name(t["name"])
        for ch in t["children"]:
            f = ch["field"]
            out.append(f"    let rows = {m}::query(db).options(selectinload({m}::{f.upper()})).all()?;")
            if ch["one"]:
                out.append(f"    seen.push(rows.iter().filter(|r| r.{f}.loaded().is_some_and(|c| c.is_some())).count());")
            else:
                out.append(f"    seen.push(rows.iter().map(|r| r.{f}.loaded().map_or(0, |c| c.len())).sum());")
    out.append("    Ok(seen)")
    out.append("}")
    return "\n".join(out) + "\n"


def create_all(tables):
    names = [model_name(t["name"]) for t in tables]
    calls = []
    for i in range(0, len(names), 8):
        chunk = names[i:i + 8]
        calls.append(f"db.create_all::<({', '.join(chunk)},)>()?;")
    return "\n    ".join(calls)


# ---------------------------------------------------------------- diesel

def diesel_crate(tables, by_name, sql):
    out = ["//! Generated by benches/compile/generate.py: do not edit.",
           "#![allow(dead_code)]",
           "use chrono::{NaiveDate, NaiveDateTime};",
           "use diesel::prelude::*;",
           "use diesel::sqlite::SqliteConnection;",
           "",
           "fn stamp() -> NaiveDateTime { NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap() }",
           "fn day() -> NaiveDate { NaiveDate::from_ymd_opt(2026, 1, 2).unwrap() }",
           "",
           "pub mod schema {"]
    for t in tables:
        pk = ", ".join(t["pk"])
        out.append("    diesel::table! {")
        out.append(f"        {t['name']} ({pk}) {{")
        for c in t["cols"]:
            ty = TYPES[c["type"]][1]
            ty = f"Nullable<{ty}>" if c["null"] else ty
            out.append(f"            {c['name']} -> {ty},")
        out.append("        }")
        out.append("    }")
    pairs = set()
    for t in tables:
        for c in t["fks"]:
            if c["ref"] == t["name"] or (t["name"], c["ref"]) in pairs:
                continue  # Diesel takes one joinable! per pair of tables, none to itself
            pairs.add((t["name"], c["ref"]))
            out.append(f"    diesel::joinable!({t['name']} -> {c['ref']} ({c['name']}));")
    # allow_tables_to_appear_in_same_query! over all pairs is quadratic; list them all as Diesel's
    # print-schema does
    out.append("    diesel::allow_tables_to_appear_in_same_query!(" + ", ".join(t["name"] for t in tables) + ",);")
    out.append("}")
    out.append("use schema::*;")
    out.append("")
    for t in tables:
        m = model_name(t["name"])
        out.append("#[derive(Queryable, Selectable, Identifiable, Insertable, Debug, PartialEq)]")
        out.append(f"#[diesel(table_name = {t['name']})]")
        if t["pk"] != ["id"]:
            out.append(f"#[diesel(primary_key({', '.join(t['pk'])}))]")
        # Diesel takes one belongs_to per parent: the first link to it
        firsts = [c for i, c in enumerate(t["fks"])
                  if all(d["ref"] != c["ref"] for d in t["fks"][:i])]
        for c in firsts:
            parent = by_name[c["ref"]]
            p = model_name(parent["name"])
            out.append(f"#[diesel(belongs_to({p}, foreign_key = {c['name']}))]")
        if firsts:
            out[-1 - len(firsts) - (1 if t["pk"] != ["id"] else 0) - 1] = \
                "#[derive(Queryable, Selectable, Identifiable, Insertable, Associations, Debug, PartialEq)]"
        out.append("#[diesel(check_for_backend(diesel::sqlite::Sqlite))]")
        out.append(f"pub struct {m} {{")
        for c in t["cols"]:
            out.append(f"    pub {c['name']}: {rust_type(c)},")
        out.append("}")
        out.append("")
    out.append("const SCHEMA: &str = r#\"" + sql + "\"#;")
    out.append("")
    out.append("/// Creates the schema, writes a row into every table, reads every table and eager-loads")
    out.append("/// every collection; returns the number of rows seen at each step.")
    out.append("pub fn exercise(conn: &mut SqliteConnection) -> QueryResult<Vec<usize>> {")
    out.append("    use diesel::connection::SimpleConnection;")
    out.append("    let mut seen = Vec::new();")
    out.append("    conn.batch_execute(SCHEMA)?;")
    for t in tables:
        m = model_name(t["name"])
        fields = [f"{c['name']}: {value(c, 1)}" for c in t["cols"]]
        out.append(f"    diesel::insert_into({t['name']}::table).values(&{m} {{ {', '.join(fields)} }}).execute(conn)?;")
    for t in tables:
        m = model_name(t["name"])
        out.append(f"    seen.push({t['name']}::table.select({m}::as_select()).load(conn)?.len());")
    for t in tables:
        m = model_name(t["name"])
        for ch in t["children"]:
            cm = model_name(ch["child"]["name"])
            ct = ch["child"]["name"]
            fk = ch["col"]["name"]
            out.append("    {")
            out.append(f"        let parents = {t['name']}::table.select({m}::as_select()).load(conn)?;")
            direct = next(d for d in ch["child"]["fks"] if d["ref"] == t["name"]) is ch["col"]
            if direct:
                out.append(f"        let children = {cm}::belonging_to(&parents).select({cm}::as_select()).load(conn)?;")
            else:  # belonging_to takes the first belongs_to to the parent: filter by hand
                out.append(f"        let ids: Vec<i64> = parents.iter().map(|p| p.id).collect();")
                out.append(f"        let children = {ct}::table.filter({ct}::{fk}.eq_any(ids)).select({cm}::as_select()).load(conn)?;")
            if ch["col"]["null"] or not direct:
                out.append(f"        seen.push(children.len());")
            else:
                out.append(f"        seen.push(children.grouped_by(&parents).iter().map(Vec::len).sum());")
            out.append("    }")
    out.append("    Ok(seen)")
    out.append("}")
    return "\n".join(out) + "\n"


def ddl(tables, source):
    """The schema's text for the scaled tables (Diesel runs it as the schema)."""
    sql = open(source).read()
    blocks = {}
    for m in re.finditer(r"(CREATE TABLE (\w+) \(.*?\n\);)((?:\nCREATE INDEX [^\n]*)*)", sql, re.S):
        blocks[m.group(2)] = m.group(1) + m.group(3)
    out = []
    for t in tables:
        m = re.match(r"(.*?)(_\d+)?$", t["name"])
        base, suffix = m.group(1), m.group(2) or ""
        text = blocks[base]
        if suffix:
            text = re.sub(r"\b(" + "|".join(blocks) + r")\b(?=[ (])",
                          lambda x: x.group(1) + suffix, text)
            # index names are one namespace too
            text = re.sub(r"CREATE INDEX (\w+)", lambda x: f"CREATE INDEX {x.group(1)}{suffix}", text)
        out.append(text)
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    schema, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    root = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                           os.path.join(os.path.abspath(out), "relations"))
    tables = scale(parse(schema), n)
    by_name = analyse(tables)
    main_rs = ("fn main() {{\n    let {db} = {open};\n"
               "    println!(\"{{:?}}\", app::exercise({arg}).unwrap());\n}}\n")
    # its own workspace, so that the project's workspace does not take it in
    package = '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n'
    write(f"{out}/relations/Cargo.toml", package + f"""[dependencies]
relations = {{ path = "{root}" }}
""")
    write(f"{out}/relations/src/lib.rs", relations_crate(tables, by_name))
    write(f"{out}/relations/src/main.rs", main_rs.format(
        db="db", open="relations::Db::open_in_memory().unwrap()", arg="&db"))
    write(f"{out}/diesel/Cargo.toml", package + """[dependencies]
diesel = { version = "2.3", default-features = false, features = ["sqlite", "chrono", "with-deprecated", "32-column-tables"] }
libsqlite3-sys = { version = "*", features = ["bundled"] }
chrono = { version = "0.4", default-features = false, features = ["clock", "std"] }
""")
    write(f"{out}/diesel/src/lib.rs", diesel_crate(tables, by_name, "PRAGMA foreign_keys = ON;\n" + ddl(tables, schema)))
    write(f"{out}/diesel/src/main.rs", main_rs.format(
        db="mut conn", open="<diesel::sqlite::SqliteConnection as diesel::Connection>::establish(\":memory:\").unwrap()",
        arg="&mut conn"))


if __name__ == "__main__":
    main()
