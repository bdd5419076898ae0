//! Serde and validation of [`LoadSpec`].

use super::*;

const SCENARIO_SNIPPET: &str = r#"
kind = "sum"

[[parts]]
kind = "product"
parts = [
  { kind = "diurnal", base = 20, amplitude = 80.5, peak_hour = 14, weekend_factor = 0.6, utc_offset_hours = -5 },
  { kind = "log_normal", sigma = 0.1, of = { kind = "constant", rps = 1 } },
]

[[parts]]
kind = "flash_crowd"
at_s = 86400
peak = 300
rise_s = 120
decay_s = 1800

[[parts]]
kind = "poisson"
of = { kind = "bursty", low = 0, high = 40, mean_low_s = 600, mean_high_s = 60 }

[[parts]]
kind = "series"
times_s = [0, 3600, 7200]
rps = [1, 5, 2]
interpolate = true
loop_s = 86400

[[parts]]
kind = "ramp"
from = 0
to = 10
start_s = 0
end_s = 3600

[[parts]]
kind = "step"
before = 0
after = 10
at_s = 600
"#;

#[test]
fn toml_round_trip() {
    let spec: LoadSpec = toml::from_str(SCENARIO_SNIPPET).unwrap();
    spec.validate("apps.web.load").unwrap();
    let LoadSpec::Sum { parts } = &spec else {
        panic!("not a sum: {spec:?}")
    };
    assert_eq!(parts.len(), 6);
    assert_eq!(
        parts[1],
        LoadSpec::FlashCrowd {
            at_s: 86_400.0,
            peak: 300.0,
            rise_s: 120.0,
            decay_s: 1_800.0
        }
    );
    let text = toml::to_string(&spec).unwrap();
    let back: LoadSpec = toml::from_str(&text).unwrap();
    assert_eq!(back, spec);
    // And through JSON, as run metadata might carry it.
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(serde_json::from_str::<LoadSpec>(&json).unwrap(), spec);
}

#[test]
fn defaults_apply() {
    let spec: LoadSpec =
        toml::from_str("kind = 'diurnal'\nbase = 1\namplitude = 2\npeak_hour = 12").unwrap();
    assert_eq!(
        spec,
        LoadSpec::Diurnal {
            base: 1.0,
            amplitude: 2.0,
            peak_hour: 12.0,
            weekend_factor: 1.0,
            utc_offset_hours: 0.0
        }
    );
    let spec: LoadSpec = toml::from_str("kind = 'series'\ntimes_s = [0]\nrps = [3]").unwrap();
    assert_eq!(
        spec,
        LoadSpec::Series {
            times_s: vec![0.0],
            rps: vec![3.0],
            interpolate: false,
            loop_s: None
        }
    );
}

#[test]
fn unknown_fields_and_kinds_are_rejected() {
    let err = toml::from_str::<LoadSpec>("kind = 'constant'\nrps = 1\nburst = 2").unwrap_err();
    assert!(err.to_string().contains("burst"), "{err}");
    let err = toml::from_str::<LoadSpec>("kind = 'sawtooth'\nrps = 1").unwrap_err();
    assert!(err.to_string().contains("sawtooth"), "{err}");
}

fn err(spec: &LoadSpec) -> LoadSpecError {
    spec.validate("apps.web.load").unwrap_err()
}

#[test]
fn validation_names_the_path_and_value() {
    let spec = LoadSpec::Sum {
        parts: vec![
            LoadSpec::Constant { rps: 1.0 },
            LoadSpec::FlashCrowd {
                at_s: 10.0,
                peak: -3.0,
                rise_s: 1.0,
                decay_s: 1.0,
            },
        ],
    };
    let e = err(&spec);
    assert_eq!(
        e,
        LoadSpecError::Negative {
            path: "apps.web.load.parts[1].peak".into(),
            value: -3.0
        }
    );
    assert_eq!(e.path(), "apps.web.load.parts[1].peak");
    assert_eq!(
        e.to_string(),
        "apps.web.load.parts[1].peak: must not be negative, got -3"
    );

    let nested = LoadSpec::Poisson {
        of: Box::new(LoadSpec::Constant { rps: f64::NAN }),
    };
    assert_eq!(err(&nested).path(), "apps.web.load.of.rps");
    assert!(matches!(err(&nested), LoadSpecError::NotFinite { .. }));
    // At the top, no leading dot.
    assert_eq!(nested.validate("").unwrap_err().path(), "of.rps");
}

#[test]
fn validation_catches_each_rule() {
    let cases: Vec<(LoadSpec, &str)> = vec![
        (LoadSpec::Sum { parts: vec![] }, "apps.web.load.parts"),
        (LoadSpec::Product { parts: vec![] }, "apps.web.load.parts"),
        (
            LoadSpec::Diurnal {
                base: 1.0,
                amplitude: 1.0,
                peak_hour: 25.0,
                weekend_factor: 1.0,
                utc_offset_hours: 0.0,
            },
            "apps.web.load.peak_hour",
        ),
        (
            LoadSpec::Diurnal {
                base: 1.0,
                amplitude: 1.0,
                peak_hour: 2.0,
                weekend_factor: -1.0,
                utc_offset_hours: 0.0,
            },
            "apps.web.load.weekend_factor",
        ),
        (
            LoadSpec::Ramp {
                from: 1.0,
                to: 2.0,
                start_s: 10.0,
                end_s: 5.0,
            },
            "apps.web.load.end_s",
        ),
        (
            LoadSpec::Step {
                before: 1.0,
                after: f64::INFINITY,
                at_s: 5.0,
            },
            "apps.web.load.after",
        ),
        (
            LoadSpec::FlashCrowd {
                at_s: 1.0,
                peak: 1.0,
                rise_s: 1.0,
                decay_s: 0.0,
            },
            "apps.web.load.decay_s",
        ),
        (
            LoadSpec::Bursty {
                low: 1.0,
                high: 2.0,
                mean_low_s: 1.0,
                mean_high_s: -1.0,
            },
            "apps.web.load.mean_high_s",
        ),
        (
            LoadSpec::LogNormal {
                of: Box::new(LoadSpec::Constant { rps: 1.0 }),
                sigma: -0.1,
            },
            "apps.web.load.sigma",
        ),
        (
            LoadSpec::Series {
                times_s: vec![0.0, 20.0, 10.0],
                rps: vec![1.0; 3],
                interpolate: false,
                loop_s: None,
            },
            "apps.web.load.times_s[2]",
        ),
        (
            LoadSpec::Series {
                times_s: vec![0.0, 10.0],
                rps: vec![1.0],
                interpolate: false,
                loop_s: None,
            },
            "apps.web.load.rps",
        ),
        (
            LoadSpec::Series {
                times_s: vec![0.0, 10.0],
                rps: vec![1.0, -2.0],
                interpolate: false,
                loop_s: None,
            },
            "apps.web.load.rps[1]",
        ),
        (
            LoadSpec::Series {
                times_s: vec![],
                rps: vec![],
                interpolate: false,
                loop_s: None,
            },
            "apps.web.load.times_s",
        ),
        (
            LoadSpec::Series {
                times_s: vec![0.0, 10.0],
                rps: vec![1.0, 2.0],
                interpolate: false,
                loop_s: Some(10.0),
            },
            "apps.web.load.loop_s",
        ),
    ];
    for (spec, path) in cases {
        assert_eq!(err(&spec).path(), path, "{spec:?}");
    }
    let e = err(&LoadSpec::Series {
        times_s: vec![0.0, 20.0, 10.0],
        rps: vec![1.0; 3],
        interpolate: false,
        loop_s: None,
    });
    assert_eq!(
        e.to_string(),
        "apps.web.load.times_s[2]: must come after 20, got 10"
    );
}

#[test]
fn is_random_finds_noise() {
    let det = LoadSpec::Sum {
        parts: vec![LoadSpec::Constant { rps: 1.0 }],
    };
    assert!(!det.is_random());
    let noisy = LoadSpec::Product {
        parts: vec![
            det,
            LoadSpec::Poisson {
                of: Box::new(LoadSpec::Constant { rps: 1.0 }),
            },
        ],
    };
    assert!(noisy.is_random());
}
