//! Erlang B and Erlang C without factorials, so that thousands of servers
//! (and offered loads of millions of erlangs) stay finite and cheap.

/// Below this offered load the recursion simply starts at zero servers.
const SHORTCUT_MIN_LOAD: f64 = 100.0;
/// How many standard deviations (√a) below the target the shortcut starts.
const SHORTCUT_SIGMAS: f64 = 10.0;

/// Erlang B blocking probability B(a, c), walked upward one server at a
/// time with the recursion B(k) = a·B(k−1) / (k + a·B(k−1)).
///
/// `a` is the offered load in erlangs (λ/μ, dimensionless). Stepping costs
/// O(1), so a search over server counts (see
/// [`min_instances`](super::min_instances)) pays O(c) in total rather than
/// O(c²).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangB {
    a: f64,
    c: u32,
    b: f64,
}

impl ErlangB {
    /// B(a, c) for offered load `a` erlangs (finite, ≥ 0) and `c` servers.
    ///
    /// Costs O(c) for small loads and O(√a + |c − a|) for large ones (and
    /// stops early once B underflows to 0, a few hundred servers past a
    /// for loads in the hundreds): below
    /// the target the recursion is a contraction (each step scales an error
    /// in 1/B by k/a < 1), so starting 10√a servers short of min(c, a) from
    /// the fluid guess B ≈ 1 − k/a leaves a relative error below e⁻⁵⁰.
    pub fn new(a: f64, c: u32) -> Self {
        let a = if a.is_finite() && a > 0.0 { a } else { 0.0 };
        let mut k = 0u32;
        let mut b = 1.0;
        if a >= SHORTCUT_MIN_LOAD {
            let start = a.min(f64::from(c)) - SHORTCUT_SIGMAS * a.sqrt() - SHORTCUT_SIGMAS;
            if start >= 1.0 {
                // `start` ≤ c, so the cast cannot exceed u32.
                k = start.floor() as u32;
                b = 1.0 - f64::from(k) / a;
            }
        }
        let mut e = ErlangB { a, c: k, b };
        while e.c < c {
            if e.b == 0.0 {
                // Underflowed (far beyond the load): it stays 0, so skip
                // the rest of a possibly very long walk.
                e.c = c;
                break;
            }
            e.step_up();
        }
        e
    }

    /// Adds one server: B(a, c) → B(a, c + 1).
    #[inline]
    pub fn step_up(&mut self) {
        let ab = self.a * self.b;
        self.c = self.c.saturating_add(1);
        // ab = 0 (no load, or B underflowed) keeps B at 0 rather than 0/0.
        self.b = if ab > 0.0 {
            ab / (f64::from(self.c) + ab)
        } else {
            0.0
        };
    }

    /// Number of servers c.
    pub fn servers(&self) -> u32 {
        self.c
    }

    /// Offered load a, erlangs.
    pub fn load(&self) -> f64 {
        self.a
    }

    /// Blocking probability B(a, c) of the loss system M/M/c/c (0–1).
    pub fn blocking(&self) -> f64 {
        self.b
    }

    /// Erlang C: probability that an arrival waits in M/M/c (0–1), from the
    /// identity C = c·B / (c − a·(1 − B)); 1 when a ≥ c (no steady state).
    pub fn waiting(&self) -> f64 {
        let c = f64::from(self.c);
        if self.a >= c {
            return 1.0;
        }
        let denom = c - self.a * (1.0 - self.b);
        (c * self.b / denom).clamp(0.0, 1.0)
    }
}

/// Erlang B blocking probability for offered load `a` erlangs and `c` servers.
pub fn erlang_b(a: f64, c: u32) -> f64 {
    ErlangB::new(a, c).blocking()
}

/// Erlang C waiting probability for offered load `a` erlangs and `c`
/// servers; 1 when a ≥ c.
pub fn erlang_c(a: f64, c: u32) -> f64 {
    ErlangB::new(a, c).waiting()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// B(a, c) by the recursion from zero, the reference for the shortcut.
    fn erlang_b_plain(a: f64, c: u32) -> f64 {
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (f64::from(k) + a * b);
        }
        b
    }

    /// B(a, c) from its definition (a^c/c!) / Σ a^k/k!, in log space.
    fn erlang_b_direct(a: f64, c: u32) -> f64 {
        let log_term =
            |k: u32| f64::from(k) * a.ln() - (1..=k).map(|j| f64::from(j).ln()).sum::<f64>();
        let top = log_term(c);
        let max = (0..=c).map(log_term).fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = (0..=c).map(|k| (log_term(k) - max).exp()).sum();
        (top - max).exp() / sum
    }

    #[test]
    fn textbook_values() {
        // λ=2, μ=1, c=3: B = (8/6) / (1 + 2 + 2 + 8/6) = 4/19, C = 4/9.
        assert!((erlang_b(2.0, 3) - 4.0 / 19.0).abs() < 1e-12);
        assert!((erlang_c(2.0, 3) - 4.0 / 9.0).abs() < 1e-12);
        // M/M/1: C = ρ.
        assert!((erlang_c(0.5, 1) - 0.5).abs() < 1e-12);
        assert_eq!(erlang_b(0.0, 4), 0.0);
        assert_eq!(erlang_b(3.0, 0), 1.0);
        assert_eq!(erlang_c(3.0, 3), 1.0);
    }

    #[test]
    fn matches_definition_for_moderate_c() {
        for &(a, c) in &[(5.0, 8), (40.0, 50), (120.0, 130), (300.0, 290)] {
            let want = erlang_b_direct(a, c);
            let got = erlang_b(a, c);
            assert!(
                (got - want).abs() <= 1e-10 * want,
                "a={a} c={c}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn shortcut_matches_full_recursion() {
        for &(a, c) in &[
            (500.0, 520),
            (2_000.0, 1_900),
            (5_000.0, 5_200),
            (10_000.0, 9_000),
        ] {
            let want = erlang_b_plain(a, c);
            let got = erlang_b(a, c);
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "a={a} c={c}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn large_c_satisfies_the_b_c_identity() {
        // C = B / (1 − ρ(1 − B)) with ρ = a/c.
        let (a, c) = (4_500.0, 4_600);
        let b = erlang_b(a, c);
        let rho = a / f64::from(c);
        let want = b / (1.0 - rho * (1.0 - b));
        let got = erlang_c(a, c);
        assert!(got > 0.0 && got < 1.0);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        // And against the full recursion.
        let b_plain = erlang_b_plain(a, c);
        assert!((b - b_plain).abs() <= 1e-12 * b_plain);
    }

    #[test]
    fn step_up_matches_new() {
        let mut e = ErlangB::new(800.0, 790);
        for c in 791..=900 {
            e.step_up();
            let fresh = ErlangB::new(800.0, c);
            assert_eq!(e.servers(), c);
            assert!(
                (e.blocking() - fresh.blocking()).abs() <= 1e-12 * fresh.blocking().max(1e-300)
            );
        }
    }

    #[test]
    fn huge_loads_are_finite() {
        let e = ErlangB::new(2.0e6, 2_005_000);
        assert!(e.blocking().is_finite() && e.blocking() >= 0.0);
        let w = e.waiting();
        assert!((0.0..=1.0).contains(&w));
    }
}
