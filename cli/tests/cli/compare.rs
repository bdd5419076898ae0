//! Two policies on the flash crowd: a fast scale-up and a slow one.

use crate::support::*;

fn figure(summary: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = summary;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} in {summary}"))
}

#[test]
fn a_fast_scale_up_breaches_less_costs_more_and_flaps_more_than_a_slow_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (fast, slow) = (tmp.path().join("fast"), tmp.path().join("slow"));
    let flash = scenario("flash-crowd.toml");
    ok(&[
        "run",
        &flash,
        "--duration",
        "18h",
        "--out",
        fast.to_str().unwrap(),
    ]);
    ok(&[
        "run",
        &flash,
        "--duration",
        "18h",
        "--set",
        "policies.news.thresholds[0].scale_factor=1.1",
        "--set",
        "policies.news.thresholds[0].cooldown_seconds=300",
        "--out",
        slow.to_str().unwrap(),
    ]);
    let read = |d: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap()
    };
    let (f, s) = (read(&fast), read(&slow));
    let breach = ["figures", "sla", "total", "any", "breach_minutes"];
    let cost = ["figures", "cost", "total"];
    let ups = ["figures", "oscillation", "total", "up"];
    assert!(
        figure(&f, &breach) < figure(&s, &breach),
        "fast {} vs slow {} breach minutes",
        figure(&f, &breach),
        figure(&s, &breach)
    );
    assert!(
        figure(&f, &cost) > figure(&s, &cost),
        "fast {} vs slow {} cost",
        figure(&f, &cost),
        figure(&s, &cost)
    );
    assert!(
        figure(&f, &ups) < figure(&s, &ups),
        "the slow policy needs more, smaller steps"
    );
    // The comparison shows both, with the slow run's elastic speedup over
    // the fast baseline below 1 (it is worse at following demand).
    let cmp = tmp.path().join("cmp");
    ok(&[
        "compare",
        fast.to_str().unwrap(),
        slow.to_str().unwrap(),
        "--baseline",
        "0",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cmp.join("compare.json")).unwrap()).unwrap();
    assert!(cmp.join("compare.html").exists());
    let text = c.to_string();
    assert!(text.contains("speedup"), "{text}");
}
