//! The next-event clock: a priority queue ordered by (time, sequence
//! number), so events at the same time keep their insertion order and a run
//! is reproducible.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A queue of timed events of type `E`.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    now_ms: i64,
}

#[derive(Debug)]
struct Entry<E> {
    at_ms: i64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.seq) == (other.at_ms, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at_ms, self.seq).cmp(&(other.at_ms, other.seq))
    }
}

impl<E> EventQueue<E> {
    /// An empty queue whose clock reads `start_ms`.
    pub fn new(start_ms: i64) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now_ms: start_ms,
        }
    }

    /// The clock: the time of the last event taken, epoch ms.
    pub fn now(&self) -> i64 {
        self.now_ms
    }

    /// Schedules `event` at `at_ms`; a time in the past is moved to now, so
    /// the clock never goes backwards.
    pub fn schedule(&mut self, at_ms: i64, event: E) {
        let at_ms = at_ms.max(self.now_ms);
        self.heap.push(Reverse(Entry {
            at_ms,
            seq: self.next_seq,
            event,
        }));
        self.next_seq += 1;
    }

    /// Takes the next event and advances the clock to it.
    pub fn step(&mut self) -> Option<(i64, E)> {
        let Reverse(entry) = self.heap.pop()?;
        self.now_ms = entry.at_ms;
        Some((entry.at_ms, entry.event))
    }

    /// Takes the next event if it is due at or before `until_ms`; otherwise
    /// advances the clock to `until_ms` and returns `None`.
    pub fn step_until(&mut self, until_ms: i64) -> Option<(i64, E)> {
        match self.heap.peek() {
            Some(Reverse(e)) if e.at_ms <= until_ms => self.step(),
            _ => {
                self.now_ms = self.now_ms.max(until_ms);
                None
            }
        }
    }

    /// Runs every event due at or before `until_ms` through `handle`, which
    /// may schedule more; then the clock reads `until_ms`.
    pub fn run_until(&mut self, until_ms: i64, mut handle: impl FnMut(&mut Self, i64, E)) {
        while let Some((at, event)) = self.step_until(until_ms) {
            handle(self, at, event);
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_in_time_order_and_ties_keep_insertion_order() {
        let mut q = EventQueue::new(0);
        q.schedule(20, "c");
        q.schedule(10, "a");
        q.schedule(10, "b");
        q.schedule(5, "first");
        let order: Vec<_> = std::iter::from_fn(|| q.step()).collect();
        assert_eq!(order, [(5, "first"), (10, "a"), (10, "b"), (20, "c")]);
        assert_eq!(q.now(), 20);
    }

    #[test]
    fn run_until_stops_at_the_horizon_and_handles_new_events() {
        let mut q = EventQueue::new(0);
        q.schedule(0, 1u32);
        let mut seen = Vec::new();
        q.run_until(35, |q, at, n| {
            seen.push((at, n));
            q.schedule(at + 10, n + 1);
        });
        assert_eq!(seen, [(0, 1), (10, 2), (20, 3), (30, 4)]);
        assert_eq!(q.now(), 35);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn the_past_is_scheduled_now() {
        let mut q = EventQueue::new(100);
        q.schedule(50, ());
        assert_eq!(q.step(), Some((100, ())));
    }
}
