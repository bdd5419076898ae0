use proptest::prelude::*;

use super::*;

/// λ·dt + queued before − (served + dropped + queued after).
fn imbalance(before: f64, lambda: f64, dt: f64, b: &Backlog, o: &IntervalOutcome) -> f64 {
    before + lambda * dt - (o.served + o.dropped + b.queued)
}

#[test]
fn below_saturation_is_mmc() {
    let mut b = Backlog::new();
    let o = b.step(2.0, 1.0, 3, 10.0, 30.0);
    assert_eq!(b.queued, 0.0);
    assert!((o.served - 20.0).abs() < 1e-12);
    assert_eq!(o.dropped, 0.0);
    assert!((o.mean_response_s - (1.0 + 4.0 / 9.0)).abs() < 1e-12);
    assert!((o.utilisation - 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn near_saturation_wait_is_capped_by_timeout() {
    let mut b = Backlog::new();
    // ρ = 0.9999 on one instance: M/M/1 mean wait ≈ 10,000 s.
    let o = b.step(0.9999, 1.0, 1, 10.0, 30.0);
    assert!((o.mean_response_s - 31.0).abs() < 1e-9);
    assert!(o.p95_response_s <= 30.0 + LN_20 + 1e-9);
}

#[test]
fn overload_grows_then_caps_then_drains() {
    let mut b = Backlog::new();
    // 150 rps on 10 × 10 rps: the backlog grows 50/s, cap = 100 × 2 s = 200.
    let o = b.step(150.0, 10.0, 10, 2.0, 2.0);
    assert!((b.queued - 100.0).abs() < 1e-9);
    assert!((o.served - 200.0).abs() < 1e-9);
    assert_eq!(o.dropped, 0.0);
    assert_eq!(o.utilisation, 1.0);
    // Mean backlog 50 → 0.5 s wait + 0.1 s service.
    assert!((o.mean_response_s - 0.6).abs() < 1e-9);

    let o = b.step(150.0, 10.0, 10, 4.0, 2.0);
    // Reaches 200 after 2 s, then 50/s × 2 s dropped.
    assert!((b.queued - 200.0).abs() < 1e-9);
    assert!((o.dropped - 100.0).abs() < 1e-9);
    assert!((o.served - 400.0).abs() < 1e-9);

    // Capacity returns: 300 rps of capacity against 150 offered drains 150/s.
    let o = b.step(150.0, 10.0, 30, 1.0, 2.0);
    assert!((b.queued - 50.0).abs() < 1e-9);
    assert!((o.served - 300.0).abs() < 1e-9);
    let o = b.step(150.0, 10.0, 30, 10.0, 2.0);
    assert_eq!(b.queued, 0.0);
    assert!((o.served - (50.0 + 1500.0)).abs() < 1e-9);
    // Empty again and below saturation: back to M/M/c.
    let o = b.step(150.0, 10.0, 30, 10.0, 2.0);
    assert_eq!(o.utilisation, 0.5);
}

#[test]
fn losing_instances_drops_the_stale_backlog() {
    let mut b = Backlog { queued: 1_000.0 };
    // New cap: 2 × 10 rps × 5 s = 100 requests; 900 cannot make it.
    let o = b.step(0.0, 10.0, 2, 1.0, 5.0);
    assert!((o.dropped - 900.0).abs() < 1e-9);
    assert!((o.served - 20.0).abs() < 1e-9);
    assert!((b.queued - 80.0).abs() < 1e-9);
}

#[test]
fn no_instances_drop_everything() {
    let mut b = Backlog { queued: 7.0 };
    let o = b.step(5.0, 1.0, 0, 10.0, 30.0);
    assert_eq!(o.served, 0.0);
    assert!((o.dropped - 57.0).abs() < 1e-12);
    assert_eq!(b.queued, 0.0);
    assert_eq!(o.mean_response_s, 30.0);
    assert_eq!(o.utilisation, 0.0);
}

#[test]
fn infinite_timeout_never_drops() {
    let mut b = Backlog::new();
    let o = b.step(20.0, 1.0, 10, 10.0, f64::INFINITY);
    assert_eq!(o.dropped, 0.0);
    assert!((b.queued - 100.0).abs() < 1e-9);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let mut b = Backlog::new();
    let o = b.step(f64::NAN, 1.0, 2, 10.0, 30.0);
    assert_eq!(o.dropped, 0.0);
    let o = b.step(5.0, 1.0, 2, 0.0, 30.0);
    assert_eq!(o, IntervalOutcome::default());
    let o = b.step(5.0, f64::NAN, 2, 10.0, f64::NAN);
    assert!((o.dropped - 50.0).abs() < 1e-12);
    assert_eq!(b.queued, 0.0);
}

fn close_enough(err: f64, scale: f64) -> bool {
    err.abs() <= 1e-9 * scale.max(1.0)
}

proptest! {
    #[test]
    fn conserves_requests(
        start in 0.0f64..5_000.0,
        steps in proptest::collection::vec(
            (0.0f64..2_000.0, 0.01f64..100.0, 0u32..60, 0.01f64..120.0, 0.0f64..300.0),
            1..40,
        ),
    ) {
        let mut b = Backlog { queued: start };
        for (lambda, mu, c, dt, timeout) in steps {
            let before = b.queued;
            let o = b.step(lambda, mu, c, dt, timeout);
            let scale = before + lambda * dt;
            prop_assert!(close_enough(imbalance(before, lambda, dt, &b, &o), scale),
                "imbalance {} at λ={lambda} μ={mu} c={c} dt={dt} timeout={timeout} before={before} → {o:?} after={}",
                imbalance(before, lambda, dt, &b, &o), b.queued);
            prop_assert!(o.served >= 0.0 && o.dropped >= 0.0 && b.queued >= 0.0);
            let cap = f64::from(c) * mu * timeout;
            prop_assert!(b.queued <= cap * (1.0 + 1e-12) + 1e-9);
            prop_assert!(o.served <= f64::from(c) * mu * dt * (1.0 + 1e-12) + 1e-9);
            prop_assert!((0.0..=1.0).contains(&o.utilisation));
            prop_assert!(o.mean_response_s.is_finite() && o.mean_response_s >= 0.0);
            prop_assert!(o.p95_response_s.is_finite() && o.p95_response_s >= 0.0);
        }
    }
}
