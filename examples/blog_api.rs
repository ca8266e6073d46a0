//! The blog as a JSON web service: axum on tokio, over the blog's models with `relations`'
//! async API and serde.
//!
//! ```sh
//! cargo run --example blog_api                       # SQLite file blog_api.db, port 3000
//! DATABASE_URL=postgresql://postgres@127.0.0.1/blog PORT=8080 cargo run --example blog_api
//! RUST_LOG=info,relations::sql=debug cargo run --example blog_api   # every statement echoed
//! ```
//!
//! - `POST /users` `{"username", "email"}` → 201 and the user;
//! - `POST /posts` `{"title", "content", "user_id", "tags": ["rust", ...]}` → 201 and the post
//!   with its tags, created when new and linked when they exist;
//! - `GET /users/{id}` → the user with its posts and their tags (three statements, whatever
//!   the data);
//! - `DELETE /users/{id}` → 204, the user's posts, their comments and tag links with it.
//!
//! Errors are JSON `{"error": ...}`: 404 for an unknown id, 409 for a duplicate (naming the
//! constraint) or a row still referenced, 400 or 422 for a body that is not the JSON asked for.
//! `PORT=0` picks a free port; the first line printed names the address.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use relations::chrono::NaiveDateTime;
use relations::pool::{AsyncPool, PoolOptions};
use relations::{selectinload, BelongsTo, Error, HasMany, HasOne, ManyToMany, Model};
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
    #[belongs_to(User, backref = comments)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
#[model(serde)]
struct Tag {
    id: i64,
    #[column(unique, len = 50)]
    name: String,
}

type Blog = (User, UserProfile, Post, Comment, Tag);

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

/// A request's failure, as JSON.
enum ApiError {
    Db(Error),
    Body(JsonRejection),
    NoSuch(&'static str, i64),
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::NoSuch(table, id) => (StatusCode::NOT_FOUND, json!({"error": format!("no {table} has id {id}")})),
            ApiError::Body(e) => (e.status(), json!({"error": e.body_text()})),
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
/// (PostgreSQL's `SERIALIZABLE`; SQLite's writers queue instead).
const RETRIES: u32 = 10;

async fn create_user(
    State(pool): State<AsyncPool>,
    body: Result<Json<User>, JsonRejection>,
) -> Reply<impl IntoResponse> {
    let Json(mut user) = body?;
    let user = pool
        .run(move |db| {
            // PostgreSQL transactions are SERIALIZABLE: one that conflicts runs again
            db.transaction_retrying(RETRIES, |db| user.insert(db))?;
            // read back, so that the reply lists the user's posts (none, or those sent with it)
            user.posts(db).load()?;
            Ok::<_, Error>(user)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn create_post(
    State(pool): State<AsyncPool>,
    body: Result<Json<NewPost>, JsonRejection>,
) -> Reply<impl IntoResponse> {
    let Json(new) = body?;
    let user_id = new.user_id;
    let post = pool
        .run(move |db| {
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
                for name in &new.tags {
                    db.insert_or_ignore(&mut Tag { name: name.clone(), ..Default::default() })?;
                    post.tags.push(Tag::query(db).filter_by(Tag::name, name.as_str()).one()?);
                }
                db.add(post).map(Some)
            })
        })
        .await?
        .ok_or(ApiError::NoSuch("user", user_id))?;
    Ok((StatusCode::CREATED, Json(post)))
}

async fn show_user(State(pool): State<AsyncPool>, Path(id): Path<i64>) -> Reply<Json<User>> {
    let conn = pool.get().await?;
    let user = conn
        .query::<User>()
        .filter_by(User::id, id)
        .options(selectinload(User::POSTS).selectinload(Post::TAGS))
        .first()
        .await?;
    user.map(Json).ok_or(ApiError::NoSuch("user", id))
}

async fn delete_user(State(pool): State<AsyncPool>, Path(id): Path<i64>) -> Reply<StatusCode> {
    let deleted = pool
        .run(move |db| db.transaction_retrying(RETRIES, |db| User::get(db, id)?.map_or(Ok(false), |u| u.delete(db))))
        .await?;
    match deleted {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NoSuch("user", id)),
    }
}

/// The service's routes over `pool`, traced request by request.
fn app(pool: AsyncPool) -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", get(show_user).delete(delete_user))
        .route("/posts", post(create_post))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(pool)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "blog_api.db".into());
    let pool = AsyncPool::connect(&url, PoolOptions::default()).await?;
    pool.run(|db| db.create_all::<Blog>()).await?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(pool))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
