//! `session-sogs/poller_tick_1000_rooms`: one poller tick over 1 000 rooms — build the
//! `/batch` (2 000 sub-requests), unpack a canned answer (every room's pollInfo, and a page
//! with one new signed message in one room of ten), advance the cursors, emit the events.
//! Also prints the allocations of one tick as `perf:` lines (a counting global allocator).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

/// Counts allocations; every call is passed unchanged to the system allocator.
#[allow(unsafe_code)]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

    pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
    pub static BYTES: AtomicU64 = AtomicU64::new(0);

    pub struct Counting;

    // SAFETY: each method forwards its arguments to `System`, which upholds the contract;
    // the counters are plain atomics.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Relaxed);
            BYTES.fetch_add(layout.size() as u64, Relaxed);
            // SAFETY: the caller's contract for `alloc` is passed on unchanged.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as above, for `dealloc`.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Relaxed);
            BYTES.fetch_add(new_size as u64, Relaxed);
            // SAFETY: as above, for `realloc`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

use std::hint::black_box;
use std::sync::atomic::Ordering::Relaxed;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use session_crypto::{Identity, ServerPubkey, SigningMode};
use session_schema::{SogsSigner, VisibleMessage};
use session_sogs::poller::{PollerCursor, RoomCursor};
use session_sogs::{Batch, Context, Endpoint, Poller, PollerConfig, Response};

const ROOMS: usize = 1000;

fn bench(c: &mut Criterion) {
    let server: ServerPubkey = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238"
        .parse()
        .unwrap();
    let signer = SogsSigner::new(
        &Identity::from_seed(&[9; 16]).unwrap(),
        SigningMode::Blind15,
        &server,
    );
    let post = signer
        .encode(
            &VisibleMessage::text("a message of about this length")
                .timestamp(1)
                .into_content(),
        )
        .unwrap();
    let cursor = PollerCursor {
        rooms: (0..ROOMS)
            .map(|i| {
                (
                    format!("room{i}"),
                    RoomCursor {
                        seqno: Some(100),
                        info_updates: 3,
                        max_id: 100,
                        pinned: Some(vec![]),
                    },
                )
            })
            .collect(),
        ..PollerCursor::default()
    };
    let config = PollerConfig {
        capabilities: false,
        ..PollerConfig::default()
    };
    let mut elements = Vec::with_capacity(2 * ROOMS);
    for i in 0..ROOMS {
        elements.push(json!({"code": 200, "headers": {"content-type": "application/json"},
            "body": {"token": format!("room{i}"), "active_users": 3, "read": true, "write": true, "upload": true}}));
        let rows: Vec<Value> = if i % 10 == 0 {
            vec![
                json!({"id": 101, "seqno": 101, "session_id": signer.sender().to_string(), "posted": 1.0,
                        "data": post.data, "signature": post.signature, "reactions": {}}),
            ]
        } else {
            vec![]
        };
        elements.push(
            json!({"code": 200, "headers": {"content-type": "application/json"}, "body": rows}),
        );
    }
    let answer = Response {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: Value::Array(elements).to_string().into_bytes(),
    };
    let cx = Context {
        server: &server,
        identity: None,
    };

    let tick = |mut poller: Poller| {
        let request = poller.poll().unwrap();
        black_box(request.batch().body().unwrap());
        let answers = Batch::parse(&cx, &answer);
        let events = poller.handle(request, &cx, answers);
        assert_eq!(events.len(), ROOMS / 10);
        events
    };

    // Allocations of one tick, counted outside the timed loop.
    let poller = Poller::from_cursor(config.clone(), cursor.clone());
    let (n0, b0) = (
        counting::ALLOCATIONS.load(Relaxed),
        counting::BYTES.load(Relaxed),
    );
    drop(black_box(tick(poller)));
    let (n1, b1) = (
        counting::ALLOCATIONS.load(Relaxed),
        counting::BYTES.load(Relaxed),
    );
    println!(
        "perf: name=session-sogs/poller_tick_1000_rooms_allocations value={} unit=allocs",
        n1 - n0
    );
    println!(
        "perf: name=session-sogs/poller_tick_1000_rooms_allocated value={} unit=bytes",
        b1 - b0
    );

    let mut group = c.benchmark_group("session-sogs/poller_tick_1000_rooms");
    group.sample_size(20);
    group.bench_function("session-rs", |b| {
        b.iter_batched(
            || Poller::from_cursor(config.clone(), cursor.clone()),
            |poller| black_box(tick(poller)),
            criterion::BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
