// The guide: a chapter per doc-only module, from the Markdown files in `docs/guide/`, which
// read as they are in the repository too. The chapters link to each other with reference
// links, which the files define as file names and `docs/guide/links.md` defines as module paths
// ahead of each chapter here: the first definition of a label is the one Markdown uses.
#![doc = include_str!("../docs/guide/links.md")]
#![doc = include_str!("../docs/guide/README.md")]

/// A doc-only module holding one chapter, with the chapters' link targets ahead of it.
macro_rules! chapter {
    ($name:ident, $file:literal) => {
        #[doc = include_str!("../docs/guide/links.md")]
        #[doc = include_str!(concat!("../docs/guide/", $file))]
        pub mod $name {}
    };
}

chapter!(getting_started, "01-getting-started.md");
chapter!(modelling, "02-modelling.md");
chapter!(loading, "03-loading.md");
chapter!(queries, "04-queries.md");
chapter!(writing, "05-writing.md");
chapter!(async_and_web, "06-async-and-web.md");
chapter!(backends, "07-backends.md");
chapter!(schema_over_time, "08-schema-over-time.md");
chapter!(errors, "09-errors.md");
chapter!(performance, "10-performance.md");
chapter!(from_sqlalchemy, "11-from-sqlalchemy.md");

/// The blog every chapter's examples start from: the models and the rows of the guide's
/// [set-up](crate::guide::getting_started#the-blog-the-guide-uses). Only the guide's examples
/// use it; not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __guide_blog {
    () => {
        // set-up begins
        use $crate::prelude::*;

        #[derive(Model, Debug)]
        struct User {
            id: i64,
            #[column(unique, len = 80)]
            username: String,
            karma: Option<i64>,
            #[has_many(Post, inverse = author)]
            posts: HasMany<Post>,
        }

        #[derive(Model, Debug)]
        struct Post {
            id: i64,
            #[column(len = 120)]
            title: String,
            views: i64,
            #[belongs_to(User, inverse = posts)]
            author: BelongsTo<User>,
            #[has_many(Comment, inverse = post, cascade = "all, delete-orphan")]
            comments: HasMany<Comment>,
            #[many_to_many(Tag, through = post_tags, backref = posts)]
            tags: ManyToMany<Tag>,
        }

        #[derive(Model, Debug)]
        struct Comment {
            id: i64,
            #[column(text)]
            body: String,
            #[belongs_to(Post, inverse = comments)]
            post: BelongsTo<Post>,
        }

        #[derive(Model, Debug)]
        struct Tag {
            id: i64,
            #[column(unique, len = 40)]
            name: String,
        }

        /// ann (karma 5) wrote "Hello" (10 views, commented "first!", tagged intro) and "Again"
        /// (5 views); bob (no karma) wrote "Rust" (30 views, tagged rust and intro); cy (karma 9)
        /// wrote nothing.
        fn blog() -> $crate::Result<Db> {
            let db = Db::open_in_memory()?;
            db.create_all::<(User, Post, Comment, Tag)>()?;
            let ann = db.add(User { username: "ann".into(), karma: Some(5), ..Default::default() })?;
            let bob = db.add(User { username: "bob".into(), ..Default::default() })?;
            db.add(User { username: "cy".into(), karma: Some(9), ..Default::default() })?;
            let intro = db.add(Tag { name: "intro".into(), ..Default::default() })?;
            let rust = db.add(Tag { name: "rust".into(), ..Default::default() })?;
            for (author, title, views) in [(&ann, "Hello", 10), (&bob, "Rust", 30), (&ann, "Again", 5)] {
                let post = Post { title: title.into(), views, author: BelongsTo::to(author), ..Default::default() };
                let post = db.add(post)?;
                match title {
                    "Hello" => {
                        post.tags(&db).add(&intro)?;
                        db.add(Comment { body: "first!".into(), post: BelongsTo::to(&post), ..Default::default() })?;
                    }
                    "Rust" => {
                        post.tags(&db).add(&rust)?;
                        post.tags(&db).add(&intro)?;
                    }
                    _ => {}
                }
            }
            Ok(db)
        }
        // set-up ends
    };
}

#[cfg(test)]
mod tests {
    /// The lines of `text` between `begin` and `end`, trimmed, without blank lines and without
    /// rustdoc's hidden lines.
    fn lines_between<'t>(text: &'t str, begin: &str, end: &str) -> Vec<&'t str> {
        let start = text.find(begin).unwrap_or_else(|| panic!("no `{begin}`")) + begin.len();
        let len = text[start..].find(end).unwrap_or_else(|| panic!("no `{end}` after `{begin}`"));
        text[start..start + len]
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && *line != "#" && !line.starts_with("# "))
            .collect()
    }

    /// The set-up the first chapter shows is, line for line, the one every example runs.
    #[test]
    fn the_set_up_shown_is_the_set_up_run() {
        let shown =
            lines_between(include_str!("../docs/guide/01-getting-started.md"), "## The blog the guide uses", "\n```\n");
        let shown: Vec<&str> = shown.into_iter().skip_while(|line| *line != "```rust").skip(1).collect();
        let macro_text = include_str!("guide.rs").replace("$crate", "relations");
        let run = lines_between(&macro_text, "// set-up begins", "// set-up ends");
        assert!(run.len() > 50, "the set-up is {} lines", run.len());
        assert_eq!(shown, run);
    }
}
