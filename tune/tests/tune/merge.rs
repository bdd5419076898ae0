//! Shards and merge: the merged table equals the unsharded sweep's.

use lighthouse_tune::table::ResultTable;
use lighthouse_tune::{Shard, merge, sweep};

use crate::common::{COOLDOWN, noisy_target, options};

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn sharded_runs_merged_equal_the_unsharded_sweep_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let (_, target) = noisy_target(dir.path(), 2);
    let params = [
        &format!("{COOLDOWN}=30,300,1800") as &str,
        "policies.web.thresholds[0].scale_up_threshold=60,75",
    ];
    let whole_dir = dir.path().join("whole");
    let mut opts = options(&params, &whole_dir);
    opts.constraints.max_flaps_per_day = Some(40.0);
    let whole = sweep(target.clone(), &opts).unwrap();
    assert_eq!(whole.table.rows(), 6);

    let mut shard_dirs = Vec::new();
    for k in 1..=4 {
        let out = dir.path().join(format!("shard-{k}"));
        let mut o = opts.clone();
        o.out = out.clone();
        o.jobs = Some(1);
        o.shard = Some(Shard { k, n: 4 });
        let part = sweep(target.clone(), &o).unwrap();
        // Round robin: runs k-1, k-1+4, …
        let runs: Vec<f64> = (0..part.table.rows())
            .map(|r| part.table.cell("run", r).as_f64().unwrap())
            .collect();
        let expected: Vec<f64> = (0..6)
            .filter(|i| i % 4 == k - 1)
            .map(|i| i as f64)
            .collect();
        assert_eq!(runs, expected, "shard {k}/4");
        shard_dirs.push(out);
    }
    // Any order of the shards.
    shard_dirs.reverse();
    let merged_dir = dir.path().join("merged");
    let merged = merge(&shard_dirs, &merged_dir).unwrap();
    assert_eq!(merged.shards, 4);
    assert_eq!(merged.table, whole.table, "row for row");
    for file in [
        "results.csv",
        "results.parquet",
        "sweep.json",
        "pareto.svg",
        "pareto.png",
    ] {
        assert!(
            read(&merged_dir.join(file)) == read(&whole_dir.join(file)),
            "{file} differs between the merged and the unsharded sweep"
        );
    }
    assert_eq!(
        whole_dir.join("recommended.toml").exists(),
        merged_dir.join("recommended.toml").exists()
    );
    if whole_dir.join("recommended.toml").exists() {
        assert_eq!(
            read(&merged_dir.join("recommended.toml")),
            read(&whole_dir.join("recommended.toml"))
        );
    }
    assert_eq!(
        ResultTable::read_parquet(&merged_dir.join("results.parquet")).unwrap(),
        whole.table
    );

    // Every slice is needed, once, from one sweep.
    let e = merge(&shard_dirs[..3], &dir.path().join("x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing shard(s)"), "{e}");
    let twice = [shard_dirs[0].clone(), shard_dirs[0].clone()];
    let e = merge(&twice, &dir.path().join("x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("given twice"), "{e}");
    let mut other = opts.clone();
    other.seed = Some(12345);
    other.shard = Some(Shard { k: 1, n: 4 });
    other.out = dir.path().join("other");
    sweep(target, &other).unwrap();
    let mixed = [other.out.clone(), shard_dirs[1].clone()];
    let e = merge(&mixed, &dir.path().join("x"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not shards of one sweep") && e.contains("seed"),
        "{e}"
    );
}
