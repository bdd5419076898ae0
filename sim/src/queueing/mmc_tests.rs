use super::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn textbook_mm3() {
    // λ=2, μ=1, c=3: ρ = 2/3, C = 4/9, Wq = C/(cμ − λ) = 4/9 s.
    let s = mmc(2.0, 1.0, 3).unwrap();
    assert!(close(s.utilisation, 2.0 / 3.0, 1e-12));
    assert!(close(s.wait_probability, 4.0 / 9.0, 1e-12));
    assert!(close(s.mean_wait_s, 4.0 / 9.0, 1e-12));
    assert!(close(s.mean_response_s, 1.0 + 4.0 / 9.0, 1e-12));
}

#[test]
fn textbook_mm1() {
    // M/M/1 response time is exponential with rate μ − λ.
    let s = mmc(0.5, 1.0, 1).unwrap();
    assert!(close(s.mean_response_s, 2.0, 1e-12));
    assert!(
        close(s.p95_response_s, 20f64.ln() / 0.5, 1e-10),
        "{}",
        s.p95_response_s
    );
    let p99 = response_percentile_s(0.5, 1.0, 1, 99.0).unwrap();
    assert!(close(p99, 100f64.ln() / 0.5, 1e-10));
}

#[test]
fn no_load_is_pure_service() {
    let s = mmc(0.0, 4.0, 2).unwrap();
    assert_eq!(s.utilisation, 0.0);
    assert_eq!(s.wait_probability, 0.0);
    assert!(close(s.mean_response_s, 0.25, 1e-12));
    assert!(close(s.p95_response_s, 20f64.ln() / 4.0, 1e-10));
}

#[test]
fn unstable_or_invalid_is_none() {
    assert!(mmc(3.0, 1.0, 3).is_none());
    assert!(mmc(4.0, 1.0, 3).is_none());
    assert!(mmc(1.0, 1.0, 0).is_none());
    assert!(mmc(-1.0, 1.0, 2).is_none());
    assert!(mmc(1.0, 0.0, 2).is_none());
    assert!(mmc(f64::NAN, 1.0, 2).is_none());
    assert!(mmc(1.0, f64::INFINITY, 2).is_none());
    assert!(response_percentile_s(1.0, 1.0, 2, 100.0).is_none());
    assert_eq!(response_percentile_s(1.0, 1.0, 2, 0.0), Some(0.0));
}

#[test]
fn large_pool_is_finite_and_consistent() {
    // 4,500 erlangs on 4,600 instances: the mean wait is C/θ.
    let (lambda, mu, c) = (45_000.0, 10.0, 4_600);
    let s = mmc(lambda, mu, c).unwrap();
    let theta = f64::from(c) * mu - lambda;
    assert!(s.wait_probability > 0.0 && s.wait_probability < 1.0);
    assert!(close(s.mean_wait_s, s.wait_probability / theta, 1e-12));
    assert!(s.p95_response_s.is_finite() && s.p95_response_s >= 20f64.ln() / mu * 0.999);
}

#[test]
fn more_servers_lower_p95() {
    let mut prev = f64::INFINITY;
    for c in 11..40 {
        let p95 = response_percentile_s(100.0, 10.0, c, 95.0).unwrap();
        // Once the wait is negligible, equal up to the solver's 1e-12.
        assert!(p95 < prev * (1.0 + 1e-10), "c={c}: {p95} !< {prev}");
        prev = p95;
    }
    // And it approaches the service time's own p95.
    assert!(close(prev, 20f64.ln() / 10.0, 1e-6));
}

#[test]
fn higher_percentiles_are_longer() {
    let p50 = response_percentile_s(8.0, 1.0, 10, 50.0).unwrap();
    let p95 = response_percentile_s(8.0, 1.0, 10, 95.0).unwrap();
    let p99 = response_percentile_s(8.0, 1.0, 10, 99.0).unwrap();
    assert!(p50 < p95 && p95 < p99);
}

/// The smallest c by brute force over the public functions.
fn brute_min(lambda: f64, mu: f64, p: f64, bound: f64, max_util: f64, cap: u32) -> u32 {
    (1..=cap)
        .find(|&c| {
            let rho = lambda / (f64::from(c) * mu);
            rho < 1.0
                && rho <= max_util * (1.0 + 1e-12)
                && response_percentile_s(lambda, mu, c, p).is_some_and(|t| t <= bound)
        })
        .unwrap_or(cap)
}

#[test]
fn min_instances_matches_brute_force() {
    let cases = [
        (100.0, 10.0, 95.0, 0.5, 1.0),
        (100.0, 10.0, 99.0, 0.5, 1.0),
        (100.0, 10.0, 95.0, 10.0, 0.7),
        (2.0, 1.0, 95.0, 4.0, 1.0),
        (0.3, 1.0, 50.0, 1.0, 1.0),
        (950.0, 1.0, 99.0, 5.0, 1.0),
        (12_345.0, 2.5, 95.0, 1.5, 0.95),
    ];
    for &(l, m, p, b, u) in &cases {
        let want = brute_min(l, m, p, b, u, 20_000);
        let got = min_instances(l, m, p, b, u, 20_000);
        assert_eq!(got, want, "λ={l} μ={m} p={p} bound={b} u={u}");
        assert!(got < 20_000);
    }
}

#[test]
fn min_instances_known_values() {
    // λ=2, μ=1, c=3 (C = 4/9, θ = μ = 1): P(T > t) = (5/9)e^{−t} +
    // (4/9)(1 + t)e^{−t}, 0.0509 at 4 s and 0.0333 at 4.5 s; c=2 is unstable.
    assert_eq!(min_instances(2.0, 1.0, 95.0, 4.5, 1.0, 100), 3);
    assert_eq!(min_instances(2.0, 1.0, 95.0, 4.0, 1.0, 100), 4);
    // Utilisation at most 0.8 of 10 instances for 8 rps at 1 rps each.
    assert_eq!(min_instances(8.0, 1.0, 0.0, 1e9, 0.8, 100), 10);
    // Without a latency bound (percentile 0) the stability bound alone.
    assert_eq!(min_instances(3.0, 1.0, 0.0, 0.0, 1.0, 100), 4);
}

#[test]
fn min_instances_edges() {
    assert_eq!(min_instances(0.0, 1.0, 95.0, 1.0, 1.0, 50), 0);
    assert_eq!(min_instances(-1.0, 1.0, 95.0, 1.0, 1.0, 50), 0);
    // Bound below the service's own p95 (≈ 3 s at μ = 1): never met.
    assert_eq!(min_instances(1.0, 1.0, 95.0, 2.9, 1.0, 50), 50);
    assert_eq!(min_instances(1.0, 1.0, 100.0, 1e9, 1.0, 50), 50);
    assert_eq!(min_instances(1.0, 0.0, 95.0, 10.0, 1.0, 50), 50);
    assert_eq!(min_instances(1.0, 1.0, 95.0, 10.0, 0.0, 50), 50);
    // The cap binds.
    assert_eq!(min_instances(1_000.0, 1.0, 95.0, 10.0, 1.0, 300), 300);
    assert_eq!(min_instances(1.0, 1.0, 95.0, 10.0, 1.0, 0), 0);
    // Huge loads stay fast: ~√a + steps, not a².
    let c = min_instances(5.0e6, 1.0, 99.0, 6.0, 1.0, u32::MAX);
    assert!(c > 5_000_000 && c < 5_010_000, "{c}");
}
