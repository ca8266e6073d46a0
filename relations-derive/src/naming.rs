//! Naming conventions (Flask-SQLAlchemy's, so databases interoperate) and SQL identifier rules.

/// Flask-SQLAlchemy's `camel_to_snake_case`: an underscore before an upper-case letter that
/// follows a lower-case letter or digit, or that starts a capitalised word after another
/// upper-case letter; then lower-case. `UserProfile` → `user_profile`, `HTTPResponse` →
/// `http_response`, `APIKey` → `api_key`.
pub fn table_name(struct_name: &str) -> String {
    let chars: Vec<char> = struct_name.chars().collect();
    let mut out = String::with_capacity(struct_name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let after_lower = prev.is_ascii_lowercase() || prev.is_ascii_digit();
            let starts_word = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if after_lower || starts_word {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_start_matches('_').to_string()
}

/// The candidate closest to `word` (Jaro-Winkler above 0.8), for "did you mean" hints.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// SQLAlchemy's default name of an index whose first column is `column`: `ix_<table>_<column>`.
pub fn index_name(table: &str, column: &str) -> String {
    format!("ix_{table}_{column}")
}

/// The default foreign key column referencing `table`: `<table>_id`.
pub fn foreign_key(table: &str) -> String {
    format!("{table}_id")
}

/// Why `name` cannot be a SQL identifier, if it cannot.
pub fn invalid_identifier(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > 63 {
        return Some(format!("it is {} characters long; the limit is 63 (PostgreSQL's)", name.len()));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("it starts with a digit".into());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Some(format!("it contains {bad:?}; use letters, digits and `_`"));
    }
    if name.to_ascii_lowercase().starts_with("sqlite_") {
        return Some("names starting with `sqlite_` are reserved by SQLite".into());
    }
    None
}

/// The identifier of a column's constant, named like the column: a Rust keyword as a raw
/// identifier (`r#match`), and those that cannot be raw (`self`, `Self`, `super`, `crate`, `_`)
/// with a trailing `_`.
pub fn column_const(column: &str, span: proc_macro2::Span) -> proc_macro2::Ident {
    // parsing an `Ident` refuses the keywords
    if syn::parse_str::<syn::Ident>(column).is_ok() {
        proc_macro2::Ident::new(column, span)
    } else if ["self", "Self", "super", "crate", "_"].contains(&column) {
        proc_macro2::Ident::new(&format!("{column}_"), span)
    } else {
        proc_macro2::Ident::new_raw(column, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_constants_of_keyword_columns_are_raw_or_underscored() {
        let span = proc_macro2::Span::call_site();
        assert_eq!(column_const("username", span).to_string(), "username");
        assert_eq!(column_const("match", span).to_string(), "r#match");
        assert_eq!(column_const("type", span).to_string(), "r#type");
        assert_eq!(column_const("self", span).to_string(), "self_");
        assert_eq!(column_const("crate", span).to_string(), "crate_");
    }

    #[test]
    fn table_names_follow_flask_sqlalchemy() {
        for (rust, sql) in [
            ("User", "user"),
            ("UserProfile", "user_profile"),
            ("HTTPResponse", "http_response"),
            ("APIKey", "api_key"),
            ("OrderLine", "order_line"),
            ("BookLoan", "book_loan"),
            ("Order", "order"),
            ("User2FA", "user2_fa"),
            ("ABC", "abc"),
            ("lowercase", "lowercase"),
        ] {
            assert_eq!(table_name(rust), sql, "{rust}");
        }
    }

    #[test]
    fn foreign_keys_are_table_id() {
        assert_eq!(foreign_key("user_profile"), "user_profile_id");
    }

    #[test]
    fn identifiers_are_validated() {
        assert_eq!(invalid_identifier("user_id"), None);
        assert!(invalid_identifier("1st").is_some());
        assert!(invalid_identifier("bad name").is_some());
        assert!(invalid_identifier("x\"; DROP TABLE user; --").is_some());
        assert!(invalid_identifier("sqlite_master").is_some());
        assert!(invalid_identifier(&"a".repeat(64)).is_some());
    }
}
