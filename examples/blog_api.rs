//! The blog as a JSON web service: axum on tokio, over the blog's models with `relations`'
//! async API and serde. The one to copy.
//!
//! ```sh
//! cargo run --example blog_api                       # SQLite file blog_api.db, port 3000
//! DATABASE_URL=postgresql://postgres@127.0.0.1/blog PORT=8080 cargo run --example blog_api
//! RUST_LOG=info,relations::sql=debug cargo run --example blog_api   # every statement echoed
//! ```
//!
//! - `POST /users` `{"username", "email"}` → 201 and the user;
//! - `POST /posts` `{"title", "content", "user_id", "tags": ["rust", ...]}` → 201 and the post
//!   with its tags (each name once), created when new and linked when they exist;
//! - `POST /posts/{id}/comments` `{"content", "user_id"}` → 201 and the comment;
//! - `GET /users/{id}` → the user with its posts and their tags (three statements, whatever
//!   the data);
//! - `DELETE /users/{id}` → 204; the user's posts, their comments and tag links, and the user's
//!   comments go with it.
//!
//! What it shows beyond the routes:
//! - **Request bodies are input structs**, never a model: a client sets the fields listed and
//!   nothing else (no `id`, no nested rows); an unknown field is a 422.
//! - **The foreign keys are indexed** (`IndexForeignKeys`): every cascade and relationship
//!   load reads by them, and on PostgreSQL the indexes keep concurrent deletes from conflicting.
//! - **Write transactions run again on a conflict** (`transaction_retrying`); when the retries
//!   run out, or no connection is free, or the database is unreachable, the answer is 503 with
//!   `Retry-After`, never a 500.
//! - **Every error is JSON** `{"error": ...}`: 404 for an unknown id or route, 405 for a wrong
//!   method, 400 for a bad path, 400/415/422 for a body that is not the JSON asked for, 413 for
//!   one over 64 KiB, 409 for a duplicate (naming the constraint) or a row still referenced, 422
//!   for a value its column cannot hold (naming the column).
//! - **It shuts down cleanly** on SIGINT (Ctrl-C) or SIGTERM: requests in flight finish, the
//!   pool closes its connections, the process exits 0.
//!
//! `PORT=0` picks a free port; the first line printed names the address.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use relations::chrono::NaiveDateTime;
use relations::pool::{AsyncPool, PoolOptions};
use relations::prelude::*;
use serde::Deserialize;
use serde_json::json;

#[derive(Model, Debug)]
#[model(serde)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[column(unique, len = 120)]
    email: String,
    #[has_many(Post, inverse = author, cascade = "all, delete-orphan")]
    posts: HasMany<Post>,
    #[has_one(UserProfile, inverse = user, cascade = "all, delete-orphan")]
    profile: HasOne<UserProfile>,
    #[has_many(Comment, inverse = user, cascade = "all, delete-orphan")]
    comments: HasMany<Comment>,
}

#[derive(Model, Debug)]
#[model(serde)]
struct UserProfile {
    id: i64,
    #[column(text)]
    bio: Option<String>,
    #[column(len = 200)]
    website: Option<String>,
    #[belongs_to(User, unique)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
#[model(serde)]
struct Post {
    id: i64,
    #[column(len = 120)]
    title: String,
    #[column(text)]
    content: String,
    #[column(default = now)]
    created_at: Option<NaiveDateTime>,
    #[belongs_to(User)]
    author: BelongsTo<User>,
    #[has_many(Comment, inverse = post, cascade = "all, delete-orphan")]
    comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug)]
#[model(serde)]
struct Comment {
    id: i64,
    #[column(text)]
    content: String,
    #[column(default = now)]
    created_at: Option<NaiveDateTime>,
    #[belongs_to(Post)]
    post: BelongsTo<Post>,
    #[belongs_to(User)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug, Clone)]
#[model(serde)]
struct Tag {
    id: i64,
    #[column(unique, len = 50)]
    name: String,
}

type Blog = (User, UserProfile, Post, Comment, Tag);

/// What `POST /users` takes: the columns a client chooses, nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    email: String,
}

/// What `POST /posts` takes: the post's columns and its tags by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPost {
    title: String,
    content: String,
    user_id: i64,
    #[serde(default)]
    tags: Vec<String>,
}

/// What `POST /posts/{id}/comments` takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewComment {
    content: String,
    user_id: i64,
}

/// A request's failure, as JSON.
enum ApiError {
    Db(Error),
    Body(JsonRejection),
    Path(PathRejection),
    NoSuch(&'static str, i64),
    Route(StatusCode, String),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Db(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::Body(e)
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::Path(e)
    }
}

/// How long a client is asked to wait before trying again after a 503, in seconds.
const RETRY_AFTER: &str = "1";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::NoSuch(table, id) => (StatusCode::NOT_FOUND, json!({"error": format!("no {table} has id {id}")})),
            ApiError::Body(e) => (e.status(), json!({"error": e.body_text()})),
            ApiError::Path(e) => (e.status(), json!({"error": e.body_text()})),
            ApiError::Route(status, message) => (status, json!({"error": message})),
            ApiError::Db(e) => match &e {
                Error::UniqueViolation { table, columns, constraint } => {
                    // PostgreSQL names the constraint; SQLite names its columns only
                    let constraint = constraint.clone().unwrap_or_else(|| format!("UNIQUE ({})", columns.join(", ")));
                    let body =
                        json!({"error": e.to_string(), "table": table, "columns": columns, "constraint": constraint});
                    (StatusCode::CONFLICT, body)
                }
                Error::Referenced { .. } | Error::ForeignKeyViolation { .. } => {
                    (StatusCode::CONFLICT, json!({"error": e.to_string()}))
                }
                Error::ValueDoesNotFit { table, column, .. } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": e.to_string(), "column": format!("{table}.{column}")}),
                ),
                Error::InvalidData { .. } | Error::CheckViolation { .. } | Error::NotNullViolation { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, json!({"error": e.to_string()}))
                }
                // the database is busy or away: a moment later the same request may succeed
                Error::Conflict { .. }
                | Error::Busy
                | Error::Pool(_)
                | Error::ConnectionLost { .. }
                | Error::Connect { .. }
                | Error::StatementTimeout { .. } => {
                    tracing::warn!("answering 503: {e}");
                    let body = Json(json!({"error": e.to_string()}));
                    return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, RETRY_AFTER)], body)
                        .into_response();
                }
                _ => {
                    tracing::error!("{e}");
                    (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": e.to_string()}))
                }
            },
        };
        (status, Json(body)).into_response()
    }
}

type Reply<T> = Result<T, ApiError>;

/// How many times a write transaction runs when it conflicts with a concurrent one
/// (PostgreSQL's `SERIALIZABLE`; SQLite's writers queue instead): with the doubling backoff
/// capped at 64 ms, about a second of attempts before the answer is a 503.
const RETRIES: u32 = 20;

/// The largest request body taken, in bytes.
const BODY_LIMIT: usize = 64 * 1024;

async fn create_user(
    State(pool): State<AsyncPool>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Reply<impl IntoResponse> {
    let Json(new) = body?;
    let user = pool
        .run(move |db| {
            // PostgreSQL transactions are SERIALIZABLE: one that conflicts runs again
            db.transaction_retrying(RETRIES, |db| {
                db.add(User { username: new.username.clone(), email: new.email.clone(), ..Default::default() })
            })
        })
        .await?;
    // a new user has no posts, profile or comments yet: `[]`, `null`, `[]` in the reply
    Ok((StatusCode::CREATED, Json(user)))
}

async fn create_post(
    State(pool): State<AsyncPool>,
    body: Result<Json<NewPost>, JsonRejection>,
) -> Reply<impl IntoResponse> {
    let Json(new) = body?;
    let user_id = new.user_id;
    // each tag once, in the order given
    let mut names: Vec<String> = Vec::with_capacity(new.tags.len());
    for name in new.tags {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let post = pool
        .run(move |db| {
            // the tags first, each in a transaction of its own: every post shares them, and one
            // transaction holding them all would conflict with each concurrent post
            let mut tags = Vec::with_capacity(names.len());
            for name in &names {
                tags.push(db.transaction_retrying(RETRIES, |db| {
                    db.insert_or_ignore(&mut Tag { name: name.clone(), ..Default::default() })?;
                    Tag::query(db).filter_by(Tag::name, name.as_str()).one()
                })?);
            }
            db.transaction_retrying(RETRIES, |db| {
                if User::get(db, user_id)?.is_none() {
                    return Ok(None);
                }
                let mut post = Post {
                    title: new.title.clone(),
                    content: new.content.clone(),
                    author: BelongsTo::from_key(user_id),
                    ..Default::default()
                };
                for tag in &tags {
                    post.tags.push(tag.clone());
                }
                db.add(post).map(Some)
            })
        })
        .await?
        .ok_or(ApiError::NoSuch("user", user_id))?;
    Ok((StatusCode::CREATED, Json(post)))
}

async fn create_comment(
    State(pool): State<AsyncPool>,
    path: Result<Path<i64>, PathRejection>,
    body: Result<Json<NewComment>, JsonRejection>,
) -> Reply<impl IntoResponse> {
    let Path(post_id) = path?;
    let Json(new) = body?;
    let comment = pool
        .run(move |db| {
            db.transaction_retrying(RETRIES, |db| {
                if Post::get(db, post_id)?.is_none() {
                    return Ok(Err(ApiError::NoSuch("post", post_id)));
                }
                if User::get(db, new.user_id)?.is_none() {
                    return Ok(Err(ApiError::NoSuch("user", new.user_id)));
                }
                let comment = Comment {
                    content: new.content.clone(),
                    post: BelongsTo::from_key(post_id),
                    user: BelongsTo::from_key(new.user_id),
                    ..Default::default()
                };
                db.add(comment).map(Ok)
            })
        })
        .await??;
    Ok((StatusCode::CREATED, Json(comment)))
}

async fn show_user(State(pool): State<AsyncPool>, path: Result<Path<i64>, PathRejection>) -> Reply<Json<User>> {
    let Path(id) = path?;
    let conn = pool.get().await?;
    let user = conn
        .query::<User>()
        .filter_by(User::id, id)
        .options(selectinload(User::POSTS).selectinload(Post::TAGS))
        .first()
        .await?;
    user.map(Json).ok_or(ApiError::NoSuch("user", id))
}

async fn delete_user(State(pool): State<AsyncPool>, path: Result<Path<i64>, PathRejection>) -> Reply<StatusCode> {
    let Path(id) = path?;
    let deleted = pool
        .run(move |db| db.transaction_retrying(RETRIES, |db| User::get(db, id)?.map_or(Ok(false), |u| u.delete(db))))
        .await?;
    match deleted {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NoSuch("user", id)),
    }
}

async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::Route(StatusCode::NOT_FOUND, format!("no route for {method} {}", uri.path()))
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::Route(StatusCode::METHOD_NOT_ALLOWED, format!("{} does not take {method}", uri.path()))
}

/// The service's routes over `pool`, traced request by request.
fn app(pool: AsyncPool) -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", get(show_user).delete(delete_user))
        .route("/posts", post(create_post))
        .route("/posts/{id}/comments", post(create_comment))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(pool)
}

/// Resolves at SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "blog_api.db".into());
    // 16 connections; a request waits up to the default 30 s for one before it is a 503
    let options = PoolOptions { max_size: 16, ..PoolOptions::default() };
    let pool = AsyncPool::connect(&url, options).await?;
    pool.run(|db| db.create_all::<IndexForeignKeys<Blog>>()).await?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(pool.clone())).with_graceful_shutdown(shutdown_signal()).await?;
    // the requests in flight are done; the pool's connections close as it drops
    drop(pool);
    eprintln!("shut down");
    Ok(())
}
