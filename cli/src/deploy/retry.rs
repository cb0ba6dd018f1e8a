//! Retrying AWS calls: throttling, server errors (HTTP 5xx) and broken connections are
//! tried again with growing, jittered waits; everything else fails at once.
//!
//! berth retries the CloudFormation (and template upload) calls itself, with the SDK's
//! own retries turned off, so that the report names the *first* cause: when a retry
//! fails differently (a create retried after a lost answer finds its stack already
//! there), the error is still the first one, carrying what the retries answered
//! ([`RequestInfo::retries`](super::api::RequestInfo::retries)).
//!
//! Calls that change something are sent with an idempotency token (CloudFormation's
//! `ClientRequestToken`) made once per call and kept for its retries, so AWS carries
//! a request out at most once however often it is sent.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::api::ApiError;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1: no retry).
    pub attempts: u32,
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl RetryPolicy {
    /// Five attempts, waits from about 0.5 s up to 8 s (as the SDK's standard mode).
    pub fn standard() -> RetryPolicy {
        RetryPolicy {
            attempts: 5,
            initial: Duration::from_millis(500),
            max: Duration::from_secs(8),
        }
    }

    /// One attempt.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            attempts: 1,
            initial: Duration::ZERO,
            max: Duration::ZERO,
        }
    }

    /// The wait before attempt `n + 1` (n ≥ 1): doubling from `initial`, capped at
    /// `max`, with up to half of it taken off at random so that parallel deploys do not
    /// retry in step.
    pub fn delay(&self, n: u32) -> Duration {
        let full = self
            .initial
            .saturating_mul(1u32 << (n.saturating_sub(1)).min(16))
            .min(self.max);
        let jitter = pseudo_random() % 1000;
        full.saturating_sub(full.mul_f64(jitter as f64 / 2000.0))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::standard()
    }
}

fn pseudo_random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    // splitmix64 of the mix: cheap and good enough for jitter and tokens.
    let mut z = nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(std::process::id());
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A fresh idempotency token (`berth-` and 24 hex digits; CloudFormation allows
/// letters, digits and `-`, up to 128 characters).
pub fn request_token() -> String {
    format!(
        "berth-{:016x}{:08x}",
        pseudo_random(),
        pseudo_random() as u32
    )
}

/// Runs `call` until it succeeds, fails in a way not worth retrying, or the attempts
/// are used up. The error returned is the first one, with the later attempts' errors in
/// its [`RequestInfo::retries`](super::api::RequestInfo::retries).
pub async fn retry<T, F, Fut>(policy: RetryPolicy, mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut first: Option<ApiError> = None;
    let attempts = policy.attempts.max(1);
    for attempt in 1..=attempts {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let again = e.is_retryable() && attempt < attempts;
                match first.as_mut() {
                    None => first = Some(e),
                    Some(f) => match f.request_mut() {
                        Some(_) => {
                            let essence = f.essence();
                            let r = f.request_mut().expect("checked");
                            r.essence = essence;
                            r.retries.push(e);
                        }
                        // Unreachable: only errors with a request are retried.
                        None => break,
                    },
                }
                if !again {
                    break;
                }
                tokio::time::sleep(policy.delay(attempt)).await;
            }
        }
    }
    Err(first.unwrap_or_else(|| ApiError::Transport("no attempt was made".into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::api::RequestInfo;
    use std::sync::Mutex;

    fn http(status: u16, code: &str) -> ApiError {
        ApiError::Service {
            code: code.into(),
            message: format!("{code} happened"),
            request: Box::new(RequestInfo {
                operation: "CreateStack".into(),
                status: Some(status),
                request_id: Some(format!("req-{status}-{code}")),
                ..RequestInfo::default()
            }),
        }
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            initial: Duration::from_millis(1),
            max: Duration::from_millis(2),
        }
    }

    fn run<T>(answers: Vec<Result<T, ApiError>>) -> (Result<T, ApiError>, usize) {
        let answers = Mutex::new(std::collections::VecDeque::from(answers));
        let calls = Mutex::new(0usize);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let r = rt.block_on(retry(fast(), || {
            *calls.lock().unwrap() += 1;
            let next = answers.lock().unwrap().pop_front().expect("an answer");
            async move { next }
        }));
        let n = *calls.lock().unwrap();
        (r, n)
    }

    #[test]
    fn throttling_and_server_errors_are_retried_until_success() {
        let (r, n) = run(vec![
            Err(http(400, "Throttling")),
            Err(http(500, "InternalFailure")),
            Ok(7),
        ]);
        assert_eq!(r.unwrap(), 7);
        assert_eq!(n, 3);
    }

    #[test]
    fn client_errors_are_not_retried() {
        let (r, n) = run::<()>(vec![Err(http(400, "ValidationError"))]);
        assert_eq!(n, 1);
        assert_eq!(r.unwrap_err().code(), Some("ValidationError"));
    }

    #[test]
    fn the_first_error_stays_the_cause_when_a_retry_fails_differently() {
        let (r, n) = run::<()>(vec![
            Err(http(500, "InternalFailure")),
            Err(http(400, "AlreadyExistsException")),
        ]);
        assert_eq!(n, 2, "AlreadyExists is not retried");
        let e = r.unwrap_err();
        assert_eq!(e.code(), Some("InternalFailure"));
        assert!(e.may_have_succeeded());
        assert_eq!(
            e.to_string(),
            "CreateStack: InternalFailure: InternalFailure happened (HTTP 500, request id \
             req-500-InternalFailure); the retry answered: AlreadyExistsException: \
             AlreadyExistsException happened (HTTP 400, request id req-400-AlreadyExistsException)"
        );
    }

    #[test]
    fn attempts_are_bounded_and_all_answers_kept() {
        let (r, n) = run::<()>(
            (0..4)
                .map(|_| Err(http(503, "ServiceUnavailable")))
                .collect(),
        );
        assert_eq!(n, 4);
        let e = r.unwrap_err();
        assert_eq!(e.request().unwrap().retries.len(), 3);
        // Request ids differ; the answers are the same.
        assert!(e.to_string().ends_with("; the same on 3 retries"), "{e}");
        assert!(!e.may_have_succeeded());
        let (r, _) = run::<()>(vec![
            Err(http(503, "ServiceUnavailable")),
            Err(http(500, "InternalFailure")),
            Err(http(400, "ValidationError")),
        ]);
        let e = r.unwrap_err();
        assert!(
            e.to_string().contains(
                "(HTTP 503, request id req-503-ServiceUnavailable); 2 retries, the last answered: \
                 ValidationError: ValidationError happened"
            ),
            "{e}"
        );
    }

    #[test]
    fn delays_grow_and_stay_under_the_ceiling() {
        let p = RetryPolicy::standard();
        for n in 1..10 {
            let d = p.delay(n);
            assert!(d <= p.max, "{d:?}");
            assert!(d >= p.initial.mul_f64(0.5).min(p.max), "{d:?}");
        }
        assert!(p.delay(4) > p.delay(1));
    }

    #[test]
    fn tokens_are_distinct_and_valid() {
        let a = request_token();
        let b = request_token();
        assert_ne!(a, b);
        assert!(a.len() <= 128 && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
