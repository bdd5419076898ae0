//! `compare_runs`: side-by-side figures, elastic speedup and ranking.

use lighthouse_reports::compare::metrics::Better;
use lighthouse_reports::{ReportError, compare_runs, write_run};

use crate::synth::{Spec, run};

#[test]
fn a_run_with_headroom_beats_the_baseline_on_under_provisioning() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().join("lean");
    let roomy = root.path().join("roomy");
    write_run(
        &base,
        &run(&Spec {
            hours: 3.0,
            ..Spec::default()
        }),
    )
    .unwrap();
    write_run(
        &roomy,
        &run(&Spec {
            hours: 3.0,
            headroom: 3,
            ..Spec::default()
        }),
    )
    .unwrap();
    let out = root.path().join("cmp");
    let c = compare_runs(&[base.clone(), roomy.clone()], 0, &out).unwrap();

    assert_eq!(c.runs[0].label, "lean");
    assert!((c.elastic_speedup[0].instances.unwrap() - 1.0).abs() < 1e-12);
    let metric = |key: &str| {
        c.metrics
            .iter()
            .find(|m| m.key == key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    let theta_u = metric("elasticity.instances.mean.theta_u");
    assert_eq!(theta_u.better, Better::Lower);
    assert!(theta_u.values[1].unwrap() < theta_u.values[0].unwrap());
    assert_eq!(theta_u.best, vec![1]);
    let cost = metric("cost.total");
    assert!(
        cost.values[0].unwrap() < cost.values[1].unwrap(),
        "headroom costs more"
    );
    assert_eq!(cost.best, vec![0]);
    assert_eq!(metric("cost.budget.headroom").better, Better::Higher);
    assert!(
        c.metrics
            .iter()
            .any(|m| m.key == "sla.by_layer.platform_component.stats.any.breaches")
    );

    let (a, b) = (&c.ranking[0], &c.ranking[1]);
    assert_eq!(a.wins + a.losses + a.ties, b.wins + b.losses + b.ties);
    assert_eq!(a.wins, b.losses);
    assert_eq!((a.rank, b.rank), (1, 2));
    for f in [
        "compare.json",
        "compare.md",
        "compare.html",
        "plots/overlay_supply.png",
        "plots/overlay_supply.svg",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("Elastic speedup") && html.contains("roomy"));
}

#[test]
fn a_baseline_outside_the_runs_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("only");
    write_run(
        &dir,
        &run(&Spec {
            hours: 0.5,
            ..Spec::default()
        }),
    )
    .unwrap();
    let err = compare_runs(&[dir], 1, &root.path().join("out")).unwrap_err();
    assert!(
        matches!(
            err,
            ReportError::Baseline {
                baseline: 1,
                runs: 1
            }
        ),
        "{err:?}"
    );
}
