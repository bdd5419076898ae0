use super::*;

const H: f64 = 3600.0;

fn mean(s: &Shape, a: f64, b: f64) -> f64 {
    s.integral(a, b) / (b - a)
}

/// Mean by the midpoint rule, a check on the closed forms.
fn numeric_mean(s: &Shape, a: f64, b: f64) -> f64 {
    let n = 20_000;
    let h = (b - a) / f64::from(n);
    (0..n)
        .map(|i| s.value_at(a + (f64::from(i) + 0.5) * h))
        .sum::<f64>()
        / f64::from(n)
}

fn diurnal(peak_hour: f64, weekend_factor: f64, offset_h: f64) -> Shape {
    Shape::Diurnal(Diurnal {
        base: 10.0,
        amplitude: 90.0,
        peak_s: peak_hour * H,
        weekend_factor,
        offset_s: offset_h * H,
    })
}

#[test]
fn diurnal_peaks_at_the_peak_hour() {
    let d = diurnal(14.0, 1.0, 0.0);
    assert!((d.value_at(14.0 * H) - 100.0).abs() < 1e-9);
    assert!((d.value_at(2.0 * H) - 10.0).abs() < 1e-9);
    // The maximum over a day, sampled per minute, is at 14:00.
    let argmax = (0..1440).max_by(|&a, &b| {
        d.value_at(f64::from(a) * 60.0)
            .total_cmp(&d.value_at(f64::from(b) * 60.0))
    });
    assert_eq!(argmax, Some(14 * 60));
    // The daily mean is base + amplitude/2.
    assert!((mean(&d, 0.0, 86_400.0) - 55.0).abs() < 1e-9);
}

#[test]
fn diurnal_peak_is_local_time() {
    // Peak at 14:00 local, UTC+2: 12:00 UTC.
    let d = diurnal(14.0, 1.0, 2.0);
    assert!((d.value_at(12.0 * H) - 100.0).abs() < 1e-9);
    let d = diurnal(9.0, 1.0, -5.0);
    assert!((d.value_at(14.0 * H) - 100.0).abs() < 1e-9);
}

#[test]
fn diurnal_weekend_factor() {
    let d = diurnal(14.0, 0.5, 0.0);
    let day = 86_400.0;
    // Time 0 is Monday: days 0–4 are weekdays, 5 and 6 the weekend.
    for weekday in 0..5 {
        assert!((d.value_at(f64::from(weekday) * day + 14.0 * H) - 100.0).abs() < 1e-9);
    }
    assert!((d.value_at(5.0 * day + 14.0 * H) - 50.0).abs() < 1e-9);
    assert!((d.value_at(6.0 * day + 14.0 * H) - 50.0).abs() < 1e-9);
    assert!((d.value_at(7.0 * day + 14.0 * H) - 100.0).abs() < 1e-9);
    // A week's mean: (5 + 2 × 0.5)/7 of the daily mean.
    assert!((mean(&d, 0.0, 7.0 * day) - 55.0 * 6.0 / 7.0).abs() < 1e-9);
    // An interval across Friday midnight is split: half at each factor.
    let a = 5.0 * day - 5.0;
    let got = mean(&d, a, a + 10.0);
    let want = numeric_mean(&d, a, a + 10.0);
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    assert!((got - 0.75 * d.value_at(a)).abs() < 0.01 * got);
    // With UTC−5, Saturday starts at 05:00 UTC.
    let d = diurnal(14.0, 0.5, -5.0);
    assert!((d.value_at(5.0 * day + 4.0 * H) - d.value_at(4.0 * day + 4.0 * H)).abs() < 1e-9);
    assert!(d.value_at(5.0 * day + 6.0 * H) < 0.6 * d.value_at(4.0 * day + 6.0 * H));
}

#[test]
fn diurnal_interval_means_match_numeric() {
    let d = diurnal(20.0, 0.3, 5.5);
    for &(a, len) in &[
        (0.0, 10.0),
        (3.7 * H, 600.0),
        (4.9 * 86_400.0, 86_400.0),
        (2.6e6, 10.0),
    ] {
        let (got, want) = (mean(&d, a, a + len), numeric_mean(&d, a, a + len));
        assert!(
            (got - want).abs() < 1e-6 * want.max(1.0),
            "a={a}: {got} vs {want}"
        );
    }
}

#[test]
fn ramp_endpoints_and_mean() {
    let r = Shape::Ramp {
        from: 10.0,
        to: 110.0,
        start: 100.0,
        end: 200.0,
    };
    assert_eq!(r.value_at(0.0), 10.0);
    assert_eq!(r.value_at(100.0), 10.0);
    assert_eq!(r.value_at(150.0), 60.0);
    assert_eq!(r.value_at(200.0), 110.0);
    assert_eq!(r.value_at(1e6), 110.0);
    assert!((mean(&r, 100.0, 200.0) - 60.0).abs() < 1e-12);
    assert!((mean(&r, 50.0, 250.0) - numeric_mean(&r, 50.0, 250.0)).abs() < 1e-9);
    // A ramp of no length is a step.
    let s = Shape::Ramp {
        from: 1.0,
        to: 3.0,
        start: 10.0,
        end: 10.0,
    };
    assert_eq!(s.value_at(9.0), 1.0);
    assert_eq!(s.value_at(10.0), 3.0);
    assert!((mean(&s, 5.0, 15.0) - 2.0).abs() < 1e-12);
}

#[test]
fn step_before_after_and_partial_interval() {
    let s = Shape::Step {
        before: 5.0,
        after: 20.0,
        at: 60.0,
    };
    assert_eq!(s.value_at(59.9), 5.0);
    assert_eq!(s.value_at(60.0), 20.0);
    assert!((mean(&s, 50.0, 60.0) - 5.0).abs() < 1e-12);
    assert!((mean(&s, 55.0, 65.0) - 12.5).abs() < 1e-12);
    assert!((mean(&s, 60.0, 70.0) - 20.0).abs() < 1e-12);
}

#[test]
fn flash_crowd_rises_and_decays() {
    let f = Shape::Flash {
        at: 1000.0,
        peak: 500.0,
        rise: 100.0,
        decay: 600.0,
    };
    assert_eq!(f.value_at(999.0), 0.0);
    assert!((f.value_at(1050.0) - 250.0).abs() < 1e-9);
    assert!((f.value_at(1100.0) - 500.0).abs() < 1e-9);
    // One time constant after the top: 1/e of the peak; two: 1/e².
    assert!((f.value_at(1700.0) - 500.0 / std::f64::consts::E).abs() < 1e-9);
    assert!((f.value_at(2300.0) / f.value_at(1700.0) - (-1.0f64).exp()).abs() < 1e-12);
    // Total extra requests: rise triangle + peak × decay.
    let total = f.integral(0.0, 1e7);
    assert!((total - (0.5 * 500.0 * 100.0 + 500.0 * 600.0)).abs() < 1e-6);
    // Interval means match the midpoint rule across the top.
    for &a in &[990.0, 1095.0, 1600.0] {
        assert!((mean(&f, a, a + 10.0) - numeric_mean(&f, a, a + 10.0)).abs() < 1e-6);
    }
    // No rise: a jump to the peak.
    let j = Shape::Flash {
        at: 10.0,
        peak: 8.0,
        rise: 0.0,
        decay: 5.0,
    };
    assert_eq!(j.value_at(10.0), 8.0);
    assert!((mean(&j, 0.0, 1e4) * 1e4 - 40.0).abs() < 1e-9);
}
