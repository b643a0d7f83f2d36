//! Stopping a running task from another thread (Ctrl-C, `SIGTERM`): a flag the task checks
//! between steps, and the sessions whose running statement the server is asked to cancel.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::ConnectorError;

/// Asks the server to stop the statement one session is running. Usable from any thread while
/// the session itself is blocked in that statement.
pub trait StatementCanceller: Send + Sync {
    fn cancel(&self) -> Result<(), ConnectorError>;
}

/// A shared "stop" request. Clones share it. Triggering it sets the flag that tasks check
/// between steps and cancels the statements of the sessions registered at that moment.
#[derive(Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    triggered: AtomicBool,
    cancellers: Mutex<Vec<(u64, Arc<dyn StatementCanceller>)>>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupt")
            .field("triggered", &self.is_triggered())
            .finish_non_exhaustive()
    }
}

impl Interrupt {
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Request the stop. Returns how many running statements were asked to cancel; a failed
    /// cancel request is not an error here, the flag alone stops the task at its next step.
    pub fn trigger(&self) -> usize {
        self.inner.triggered.store(true, Ordering::SeqCst);
        let cancellers: Vec<_> = self
            .inner
            .cancellers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, canceller)| Arc::clone(canceller))
            .collect();
        cancellers
            .iter()
            .filter(|canceller| canceller.cancel().is_ok())
            .count()
    }

    pub fn is_triggered(&self) -> bool {
        self.inner.triggered.load(Ordering::SeqCst)
    }

    /// Whether a session is registered, i.e. a task is running that stops cleanly when asked.
    pub fn has_sessions(&self) -> bool {
        !self
            .inner
            .cancellers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Cancel `canceller`'s session on [`Interrupt::trigger`] until the returned guard drops.
    /// A stop requested before the registration also cancels at once.
    pub fn register(&self, canceller: Arc<dyn StatementCanceller>) -> Registration {
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        self.inner
            .cancellers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id, Arc::clone(&canceller)));
        if self.is_triggered() {
            let _ = canceller.cancel();
        }
        Registration {
            interrupt: self.clone(),
            id,
        }
    }
}

/// Keeps a session registered with an [`Interrupt`]; dropping it unregisters the session.
pub struct Registration {
    interrupt: Interrupt,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.interrupt
            .inner
            .cancellers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    struct Counting(Arc<AtomicUsize>);

    impl StatementCanceller for Counting {
        fn cancel(&self) -> Result<(), ConnectorError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn a_trigger_cancels_the_registered_sessions_only_while_registered() {
        let interrupt = Interrupt::new();
        let count = Arc::new(AtomicUsize::new(0));
        let registration = interrupt.register(Arc::new(Counting(Arc::clone(&count))));
        assert!(interrupt.has_sessions());
        drop(registration);
        assert!(!interrupt.has_sessions());
        assert_eq!(interrupt.trigger(), 0);
        assert!(interrupt.is_triggered());
        assert_eq!(count.load(Ordering::SeqCst), 0);

        let other = Interrupt::new();
        let _kept = other.register(Arc::new(Counting(Arc::clone(&count))));
        assert_eq!(other.trigger(), 1);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_session_registered_after_the_trigger_is_cancelled_at_once() {
        let interrupt = Interrupt::new();
        interrupt.trigger();
        let count = Arc::new(AtomicUsize::new(0));
        let _registration = interrupt.register(Arc::new(Counting(Arc::clone(&count))));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}
