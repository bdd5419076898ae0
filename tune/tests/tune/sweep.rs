//! Sweeps: fewer flaps at longer cooldowns, the recommendation and its
//! constraints, determinism, paths refused before any run.

use lighthouse_sim::{SimOptions, Simulation, load_scenario};
use lighthouse_tune::table::ResultTable;
use lighthouse_tune::{Constraints, TuneError, sweep};

use crate::common::{COOLDOWN, noisy_target, options};

fn column(table: &ResultTable, name: &str) -> Vec<f64> {
    (0..table.rows())
        .map(|r| {
            table
                .cell(name, r)
                .as_f64()
                .unwrap_or_else(|| panic!("{name}[{r}]"))
        })
        .collect()
}

fn flag(table: &ResultTable, name: &str) -> Vec<bool> {
    (0..table.rows())
        .map(|r| table.cell(name, r) == lighthouse_tune::table::Cell::Bool(true))
        .collect()
}

#[test]
fn sweep_over_a_cooldown_range_finds_fewer_flaps_at_longer_cooldowns_on_a_noisy_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = noisy_target(dir.path(), 6);
    let param = format!("{COOLDOWN}=30,120,600,1800");
    let out = dir.path().join("out");
    let outcome = sweep(target, &options(&[&param], &out)).unwrap_or_else(|e| panic!("{e}"));
    let t = &outcome.table;
    assert_eq!(t.rows(), 4);
    assert_eq!(column(t, COOLDOWN), [30.0, 120.0, 600.0, 1800.0]);
    let flaps = column(t, "flaps");
    eprintln!("flaps by cooldown 30, 120, 600, 1800 s: {flaps:?}");
    // The scenario is noisy enough that the shortest cooldown flaps a lot…
    assert!(flaps[0] >= 10.0, "{flaps:?}");
    // …and every longer cooldown flaps less.
    for w in flaps.windows(2) {
        assert!(
            w[1] < w[0],
            "flaps do not fall with the cooldown: {flaps:?}"
        );
    }
    // flaps_per_day is flaps over the 6 h run.
    let per_day = column(t, "flaps_per_day");
    for (f, d) in flaps.iter().zip(&per_day) {
        assert!((f * 4.0 - d).abs() < 1e-9, "{f} {d}");
    }
    for file in [
        "results.csv",
        "results.parquet",
        "pareto.png",
        "pareto.svg",
        "sweep.json",
        "scenario.toml",
        "recommended.toml",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    // The Parquet file holds the same table as the CSV.
    let back = ResultTable::read_parquet(&out.join("results.parquet")).unwrap();
    assert_eq!(&back, t);
    assert_eq!(
        back.to_csv(),
        std::fs::read_to_string(out.join("results.csv")).unwrap()
    );
}

fn two_param_options(out: &std::path::Path) -> lighthouse_tune::SweepOptions {
    options(
        &[
            &format!("{COOLDOWN}=30,300,1800"),
            "policies.web.thresholds[0].scale_up_threshold=55..85:15",
        ],
        out,
    )
}

#[test]
fn recommended_configuration_meets_the_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = noisy_target(dir.path(), 4);
    // A first sweep shows the figures; the constraints are set between them.
    let free = sweep(target.clone(), &two_param_options(&dir.path().join("free"))).unwrap();
    let cost = column(&free.table, "cost");
    let breach = column(&free.table, "breach_minutes");
    let per_day = column(&free.table, "flaps_per_day");
    let calmest = (0..cost.len())
        .min_by(|&a, &b| {
            per_day[a]
                .total_cmp(&per_day[b])
                .then(breach[a].total_cmp(&breach[b]))
        })
        .unwrap();
    let cheapest = (0..cost.len())
        .min_by(|&a, &b| cost[a].total_cmp(&cost[b]))
        .unwrap();
    assert!(
        per_day[cheapest] > per_day[calmest],
        "the cheapest run must flap more than the calmest one for the test to mean anything"
    );
    let limits = Constraints {
        max_breach_minutes: Some(breach[calmest].max(breach[cheapest] / 2.0)),
        max_flaps_per_day: Some((per_day[calmest] + per_day[cheapest]) / 2.0),
    };

    let out = dir.path().join("limited");
    let mut opts = two_param_options(&out);
    opts.constraints = limits;
    let limited = sweep(target, &opts).unwrap();
    let t = &limited.table;
    let rec = limited
        .written
        .recommendation
        .clone()
        .expect("a run meets the limits");
    let row = rec.run;
    let feasible = flag(t, "feasible");
    let (b, f, c) = (
        column(t, "breach_minutes"),
        column(t, "flaps_per_day"),
        column(t, "cost"),
    );
    // The recommended run meets both limits…
    assert!(
        b[row] <= limits.max_breach_minutes.unwrap(),
        "{} min",
        b[row]
    );
    assert!(
        f[row] <= limits.max_flaps_per_day.unwrap(),
        "{}/day",
        f[row]
    );
    // …is the cheapest that does, and the only row marked.
    for r in 0..t.rows() {
        let meets =
            b[r] <= limits.max_breach_minutes.unwrap() && f[r] <= limits.max_flaps_per_day.unwrap();
        assert_eq!(feasible[r], meets, "row {r}");
        if meets {
            assert!(c[row] <= c[r], "run {r} is cheaper and meets the limits");
        }
    }
    assert!(feasible.iter().any(|f| !f), "the limits exclude some runs");
    assert_eq!(flag(t, "recommended").iter().filter(|r| **r).count(), 1);
    assert!(flag(t, "recommended")[row]);
    assert!(
        flag(t, "pareto")[row],
        "the recommendation is on the Pareto front"
    );

    // The file is a ready-to-use scenario: running it gives the same figures.
    let loaded = load_scenario(&rec.file).unwrap_or_else(|e| panic!("{e}"));
    let rerun = Simulation::new(&loaded, &SimOptions::default())
        .unwrap()
        .run(&mut |_| {})
        .unwrap();
    let figures = &rerun.record.stream.figures;
    assert_eq!(figures.cost.total, c[row]);
    assert_eq!(figures.sla.total.any.breach_minutes, b[row]);
    assert!(figures.sla.total.any.breach_minutes <= limits.max_breach_minutes.unwrap());
    let text = std::fs::read_to_string(&rec.file).unwrap();
    assert!(
        text.starts_with("# Recommended by `lighthouse sweep`"),
        "{text}"
    );

    // Limits no run meets: a clear message and no recommended file.
    let none = dir.path().join("none");
    let mut opts = two_param_options(&none);
    opts.constraints = Constraints {
        max_breach_minutes: Some(0.0),
        max_flaps_per_day: Some(per_day.iter().copied().fold(f64::INFINITY, f64::min) / 2.0),
    };
    let (_, target) = noisy_target(dir.path(), 4);
    let outcome = sweep(target, &opts).unwrap();
    assert!(outcome.written.recommendation.is_none());
    let why = outcome.written.no_recommendation.expect("a reason");
    assert!(
        why.starts_with("no run meets the constraints (breach ≤ 0 min, flaps ≤"),
        "{why}"
    );
    assert!(!none.join("recommended.toml").exists());
    assert!(flag(&outcome.table, "feasible").iter().all(|f| !f));
}

#[test]
fn the_same_sweep_seed_gives_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = noisy_target(dir.path(), 2);
    let mut opts = options(
        &[
            &format!("{COOLDOWN}=10..600:log4"),
            "policies.web.thresholds[0].scale_factor=1.2..2.0",
        ],
        &dir.path().join("a"),
    );
    opts.random = Some(4);
    opts.seed = Some(99);
    let a = sweep(target.clone(), &opts).unwrap();
    opts.out = dir.path().join("b");
    opts.jobs = Some(1);
    let b = sweep(target.clone(), &opts).unwrap();
    assert_eq!(a.table, b.table);
    for file in [
        "results.csv",
        "results.parquet",
        "pareto.png",
        "pareto.svg",
        "sweep.json",
    ] {
        let x = std::fs::read(dir.path().join("a").join(file)).unwrap();
        let y = std::fs::read(dir.path().join("b").join(file)).unwrap();
        assert!(x == y, "{file} differs between two sweeps with one seed");
    }
    opts.out = dir.path().join("c");
    opts.seed = Some(100);
    let c = sweep(target, &opts).unwrap();
    assert_ne!(
        a.table, c.table,
        "another seed draws other settings and loads"
    );
}

#[test]
fn paths_not_in_the_scenario_are_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = noisy_target(dir.path(), 1);
    let cases = [
        (
            "policies.nope.thresholds[0].cooldown_seconds=60,120",
            "policies.nope",
        ),
        (
            "policies.web.thresholds[3].cooldown_seconds=60",
            "thresholds[3]",
        ),
        (
            "policies.web.thresholds[0].cooldwn_seconds=60",
            "cooldwn_seconds",
        ),
    ];
    for (param, named) in cases {
        let out = dir.path().join("never");
        let e = sweep(target.clone(), &options(&[param], &out)).expect_err(param);
        assert!(matches!(e, TuneError::Path { .. }), "{param}: {e}");
        let text = e.to_string();
        assert!(text.contains(param) && text.contains(named), "{text}");
        assert!(!out.exists(), "{param}: nothing may be written");
    }
    // A value the scenario refuses (below the app layer's 10 s minimum
    // cooldown) is refused before any run too, naming the run.
    let out = dir.path().join("never");
    let e = sweep(target, &options(&[&format!("{COOLDOWN}=60,5")], &out)).expect_err("cooldown 5");
    let text = e.to_string();
    assert!(matches!(e, TuneError::Settings { index: 1, .. }), "{text}");
    assert!(text.contains("cooldown_seconds=5"), "{text}");
    assert!(!out.exists());
}
