//! Shaping on a real trace.

use lighthouse_replay::shape::{
    AppMapping, GapRule, ShapeOptions, TimeBound, map_to_apps, parse_duration, parse_scale,
    resample,
};
use lighthouse_replay::{Format, ReadOptions, read_trace};

use crate::common::{trace_file, utc};

fn worldcup() -> lighthouse_replay::Trace {
    read_trace(
        trace_file("worldcup98/requests_per_minute.csv"),
        &ReadOptions::new(Format::WorldCup98),
    )
    .unwrap()
}

#[test]
fn window_speed_up_loop_and_scale_on_worldcup() {
    let t = worldcup();
    let s = &t.series[0];
    let opts = ShapeOptions {
        from: Some("2h".parse().unwrap()),
        to: Some(TimeBound::Absolute(utc("1998-05-01T00:30:00Z"))),
        speed_up: Some(60.0),
        loop_to_ms: Some(parse_duration("10m").unwrap()),
        scale: Some(parse_scale("10x").unwrap()),
        ..Default::default()
    };
    let out = opts.apply_series(s).unwrap();
    // Window: 23:30..00:30 is 60 minutes; at 60x they last 60 s, one sample
    // per second; looped to 10 minutes gives 600 samples.
    assert_eq!(out.len(), 600);
    assert_eq!(out.start_ms(), Some(utc("1998-04-30T23:30:00Z")));
    assert!(out.timestamps_ms.windows(2).all(|w| w[1] - w[0] == 1000));
    let first = s
        .timestamps_ms
        .iter()
        .position(|&t| t == utc("1998-04-30T23:30:00Z"))
        .unwrap();
    assert_eq!(out.values[0], s.values[first] * 10.0);
    assert_eq!(
        out.values[60], out.values[0],
        "second copy starts like the first"
    );
}

#[test]
fn resampling_to_hours_averages_minutes() {
    let t = worldcup();
    let s = &t.series[0];
    let hourly = resample(s, 3_600_000, GapRule::Linear).unwrap();
    // 21:30 .. 21:59 on the first and the last day are partial hours.
    assert_eq!(hourly.start_ms(), Some(utc("1998-04-30T21:00:00Z")));
    assert_eq!(hourly.end_ms(), Some(utc("1998-07-26T21:00:00Z")));
    let second_hour: f64 = s.values[30..90].iter().sum::<f64>() / 60.0;
    assert!((hourly.values[1] - second_hour).abs() < 1e-9);
}

#[test]
fn mapping_series_to_apps() {
    let t = read_trace(
        trace_file("azure_functions_2019/traces_10_invocations.csv"),
        &ReadOptions::new(Format::AzureFunctions),
    )
    .unwrap();
    let first = t.series[0].resource.clone();
    let m: AppMapping = format!("{first}=checkout").parse().unwrap();
    let apps = map_to_apps(&t, &[m]).unwrap();
    assert_eq!(apps["checkout"].values, t.series[0].values);
    assert_eq!(apps["checkout"].resource, "checkout");
}
