//! Parameter specs: lists, ranges, log ranges, random draws, errors.

use lighthouse_tune::plan::{Sampling, build_plan, run_seed};
use lighthouse_tune::{ParamSpec, Shard};
use toml::Value;

fn grid(text: &str) -> Vec<Value> {
    ParamSpec::parse(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .grid_values()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ints(values: &[i64]) -> Vec<Value> {
    values.iter().map(|&v| Value::Integer(v)).collect()
}

#[test]
fn lists_read_each_item_as_toml() {
    assert_eq!(grid("a.b=60,180,600"), ints(&[60, 180, 600]));
    assert_eq!(
        grid("a.b=1.5, 2"),
        vec![Value::Float(1.5), Value::Integer(2)]
    );
    assert_eq!(
        grid("a.kind=fast,\"slow\",true"),
        vec![
            Value::String("fast".into()),
            Value::String("slow".into()),
            Value::Boolean(true)
        ]
    );
    let spec = ParamSpec::parse("policies.web.thresholds[0].cooldown_seconds=60").unwrap();
    assert_eq!(spec.path, "policies.web.thresholds[0].cooldown_seconds");
}

#[test]
fn linear_ranges_include_the_end_and_keep_the_written_type() {
    assert_eq!(grid("x=600..1400:200"), ints(&[600, 800, 1000, 1200, 1400]));
    // The end is not on a step: it is left out.
    assert_eq!(grid("x=0..10:4"), ints(&[0, 4, 8]));
    // Decimals as written, without binary noise.
    assert_eq!(
        grid("x=0.1..0.5:0.1"),
        [0.1, 0.2, 0.3, 0.4, 0.5].map(Value::Float).to_vec()
    );
    assert_eq!(grid("x=-2..2:2"), ints(&[-2, 0, 2]));
}

#[test]
fn log_ranges_are_even_in_log_scale() {
    assert_eq!(grid("x=10..1000:log3"), ints(&[10, 100, 1000]));
    assert_eq!(grid("x=10..1000:log5"), ints(&[10, 32, 100, 316, 1000]));
    let floats = grid("x=0.01..1.0:log3");
    assert_eq!(floats, [0.01, 0.1, 1.0].map(Value::Float).to_vec());
    // Integer rounding never repeats a value.
    assert_eq!(grid("x=1..3:log10"), ints(&[1, 2, 3]));
}

#[test]
fn random_draws_stay_in_their_ranges() {
    let int_range = ParamSpec::parse("x=600..1400:200").unwrap();
    let open = ParamSpec::parse("x=0.5..2.5").unwrap();
    let log = ParamSpec::parse("x=10..1000:log5").unwrap();
    let list = ParamSpec::parse("x=a,b,c").unwrap();
    for k in 0..100 {
        let u = k as f64 / 100.0;
        let v = int_range.sample(u).as_integer().unwrap();
        assert!((600..=1400).contains(&v) && v % 200 == 0, "{v}");
        let f = open.sample(u).as_float().unwrap();
        assert!((0.5..=2.5).contains(&f), "{f}");
        let l = log.sample(u).as_integer().unwrap();
        assert!((10..=1000).contains(&l), "{l}");
        assert!(["a", "b", "c"].contains(&list.sample(u).as_str().unwrap()));
    }
    assert_eq!(list.sample(0.0).as_str(), Some("a"));
    assert_eq!(list.sample(0.999).as_str(), Some("c"));
}

#[test]
fn bad_specs_name_the_parameter_and_the_value() {
    let cases = [
        ("cooldown", "cooldown", "PATH=VALUES"),
        ("=1,2", "", "empty path"),
        ("a.b=", "", "no values"),
        ("a.b=1,,2", "1,,2", "empty item"),
        ("a.b=x..10:2", "x", "not a number"),
        ("a.b=10..1:2", "10..1:2", "above its start"),
        ("a.b=1..10:0", "0", "step must be above 0"),
        ("a.b=1..10:-1", "-1", "step must be above 0"),
        ("a.b=0..100:log5", "0..100:log5", "start above 0"),
        ("a.b=1..100:log1", "log1", "at least 2"),
        ("a.b=1..100:logx", "logx", "logN"),
        ("a.b[x]=1", "a.b[x]", "array index"),
    ];
    for (spec, value, message) in cases {
        let e = ParamSpec::parse(spec).expect_err(spec);
        assert_eq!(e.param, spec);
        assert_eq!(e.value, value, "{spec}: {e}");
        assert!(e.message.contains(message), "{spec}: {e}");
        let text = e.to_string();
        assert!(text.contains(spec) && text.contains(message), "{text}");
    }
    // An open range has no grid.
    let open = ParamSpec::parse("policies.web.min_capacity=1..5").unwrap();
    let e = open.grid_values().expect_err("open range");
    assert!(e.to_string().contains("--random"), "{e}");
    assert!(e.to_string().contains("policies.web.min_capacity"), "{e}");
}

#[test]
fn grid_plans_are_cartesian_with_the_last_parameter_fastest() {
    let params = [
        ParamSpec::parse("a=1,2").unwrap(),
        ParamSpec::parse("b=10..30:10").unwrap(),
    ];
    let plan = build_plan(&params, Sampling::Grid, 5, false).unwrap();
    let values: Vec<(i64, i64)> = plan
        .iter()
        .map(|p| {
            (
                p.values[0].as_integer().unwrap(),
                p.values[1].as_integer().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [(1, 10), (1, 20), (1, 30), (2, 10), (2, 20), (2, 30)]
    );
    assert!(plan.iter().enumerate().all(|(i, p)| p.index == i));
    // Seeds come from the sweep seed and the values, nothing else.
    for p in &plan {
        assert_eq!(p.seed, run_seed(5, &params, &p.values));
        assert!(p.seed <= i64::MAX as u64);
    }
    let distinct: std::collections::BTreeSet<u64> = plan.iter().map(|p| p.seed).collect();
    assert_eq!(distinct.len(), plan.len());
    assert_ne!(
        plan[0].seed,
        build_plan(&params, Sampling::Grid, 6, false).unwrap()[0].seed
    );
    let common = build_plan(&params, Sampling::Grid, 5, true).unwrap();
    assert!(common.iter().all(|p| p.seed == 5));
}

#[test]
fn random_plans_repeat_with_their_seed() {
    let params = [
        ParamSpec::parse("a=0.5..2.5").unwrap(),
        ParamSpec::parse("b=10..1000:log5").unwrap(),
    ];
    let one = build_plan(&params, Sampling::Random(20), 9, false).unwrap();
    assert_eq!(
        one,
        build_plan(&params, Sampling::Random(20), 9, false).unwrap()
    );
    assert_ne!(
        one,
        build_plan(&params, Sampling::Random(20), 10, false).unwrap()
    );
    // A longer plan starts with the shorter one.
    let longer = build_plan(&params, Sampling::Random(30), 9, false).unwrap();
    assert_eq!(one[..], longer[..20]);
}

#[test]
fn shards_split_the_plan_round_robin() {
    let s: Shard = "2/3".parse().unwrap();
    assert_eq!((s.k, s.n), (2, 3));
    let mine: Vec<usize> = (0..10).filter(|&i| s.contains(i)).collect();
    assert_eq!(mine, [1, 4, 7]);
    for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
        let e = bad.parse::<Shard>().expect_err(bad);
        assert!(e.contains("K/N"), "{e}");
    }
}
