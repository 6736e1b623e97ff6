//! The async driver: a [`Poller`] over a [`SogsClient`], as a `Stream` of [`Event`]s.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;
use session_crypto::SigningMode;

use super::{Event, Poller};
use crate::client::SogsClient;

/// The event stream of [`stream`].
pub type EventStream = Pin<Box<dyn Stream<Item = Event> + Send>>;

struct Driver {
    client: Arc<SogsClient>,
    poller: Poller,
    queue: VecDeque<Event>,
    started: bool,
}

/// Polls with `poller` through `client` for as long as the stream is polled, yielding every
/// event; failed polls come out as [`Event::Error`] and are retried after a back-off. The DM
/// inbox and outbox are polled when the client signs with a blinded key.
///
/// Dropping the stream stops polling. Each tick is one `/batch` request.
pub fn stream(client: Arc<SogsClient>, poller: Poller) -> EventStream {
    let driver = Driver {
        client,
        poller,
        queue: VecDeque::new(),
        started: false,
    };
    Box::pin(futures_util::stream::unfold(driver, |mut d| async move {
        loop {
            if let Some(event) = d.queue.pop_front() {
                return Some((event, d));
            }
            if d.started {
                tokio::time::sleep(d.poller.next_delay()).await;
            } else {
                d.started = true;
                let blinded = d.client.identity().is_some()
                    && matches!(
                        d.client.signing_mode().await,
                        Ok(SigningMode::Blind15 | SigningMode::Blind25)
                    );
                d.poller.set_direct_messages(blinded);
            }
            d.tick().await;
        }
    }))
}

impl Driver {
    async fn tick(&mut self) {
        let request = match self.poller.poll() {
            Ok(r) => r,
            Err(error) => {
                self.queue.push_back(Event::Error { room: None, error });
                return;
            }
        };
        let answer = self.client.batch(request.batch()).await;
        let events = self.poller.handle(request, &self.client.context(), answer);
        if let Some(c) = self.poller.capabilities() {
            self.client.set_capabilities(c.clone());
        }
        self.queue.extend(events);
    }
}
