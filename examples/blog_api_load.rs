//! A load of mixed requests on a running `blog_api`, then a check of the database it wrote:
//! every 201 a row, every 204 a whole cascade, no orphans, no 5xx. `scripts/blog_api_load.sh`
//! runs it against a release build.
//!
//! ```sh
//! cargo run --release --example blog_api_load -- http://127.0.0.1:3000 blog_api.db [requests] [concurrency]
//! ```
//!
//! Exits 1 when any answer or row is not what the service promises, listing the first ones.

#[path = "load/mod.rs"]
mod load;

use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, database, rest @ ..] = args.as_slice() else {
        eprintln!("usage: blog_api_load <base URL> <database path or URL> [requests (20000)] [concurrency (200)]");
        std::process::exit(2)
    };
    let requests = rest.first().and_then(|r| r.parse().ok()).unwrap_or(20_000);
    let concurrency = rest.get(1).and_then(|c| c.parse().ok()).unwrap_or(200);
    let report = load::run(base, requests, concurrency, Duration::from_secs(600)).await;
    println!("{}", report.summary());
    let database = database.clone();
    let wrong = tokio::task::spawn_blocking(move || load::check(&database, &report).into_iter().chain(report.problems))
        .await
        .expect("the check ran")
        .collect::<Vec<_>>();
    if wrong.is_empty() {
        println!("the database holds every 201, no row of a 204, no orphan");
    } else {
        for w in wrong.iter().take(20) {
            eprintln!("wrong: {w}");
        }
        eprintln!("{} things wrong", wrong.len());
        std::process::exit(1)
    }
}
