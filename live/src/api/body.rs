//! Reading request bodies: JSON with the reason of a failure (400 for bad
//! syntax, 422 for a well-formed document with a wrong field, naming it),
//! and engine configurations in JSON, TOML or YAML.

use axum::http::{HeaderMap, header};
use lighthouse_engine::LighthouseConfig;
use lighthouse_engine::config::load::fill_resource_types;
use lighthouse_engine::config::validate::validate;
use lighthouse_engine::config::{ConfigFormat, ConfigIssue, ConfigLoadError, parse_config};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Parses a JSON body into `T`: malformed JSON is a 400, a document of the
/// wrong shape a 422 naming the field path.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." { String::new() } else { path };
            ApiError::Unprocessable {
                message: format!("invalid request: {inner}"),
                issues: vec![ConfigIssue {
                    field,
                    value: String::new(),
                    message: inner.to_string(),
                    line: Some(inner.line()),
                }],
                detail: None,
            }
        } else {
            ApiError::BadRequest(format!("malformed JSON: {inner}"))
        }
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// The configuration format a request says it carries: TOML or YAML by
/// `Content-Type`, JSON otherwise.
pub fn config_format(headers: &HeaderMap) -> ConfigFormat {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind.contains("toml") {
        ConfigFormat::Toml
    } else if kind.contains("yaml") {
        ConfigFormat::Yaml
    } else {
        ConfigFormat::Json
    }
}

/// Parses and validates an engine configuration: bad syntax is a 400, a
/// wrong field or a failed check a 422 naming the field (and, for TOML,
/// its line).
pub fn engine_config(body: &[u8], format: ConfigFormat) -> Result<LighthouseConfig, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not UTF-8: {e}")))?;
    if format == ConfigFormat::Json {
        let mut config: LighthouseConfig = json(body)?;
        fill_resource_types(&mut config);
        validate(&config).map_err(|e| ApiError::Unprocessable {
            message: "invalid configuration".to_string(),
            issues: e.issues,
            detail: None,
        })?;
        return Ok(config);
    }
    if format == ConfigFormat::Toml
        && let Err(e) = toml::from_str::<toml::Table>(text)
    {
        return Err(ApiError::BadRequest(format!(
            "malformed TOML: {}",
            e.message().trim()
        )));
    }
    parse_config(text, format, "request body").map_err(|e| match e {
        // TOML that parsed as a table but not as a configuration: a wrong
        // field, with its line.
        ConfigLoadError::Syntax { line, message, .. } if format == ConfigFormat::Toml => {
            ApiError::Unprocessable {
                message: format!("invalid configuration: {message}"),
                issues: vec![ConfigIssue {
                    field: String::new(),
                    value: String::new(),
                    message,
                    line: Some(line),
                }],
                detail: None,
            }
        }
        ConfigLoadError::Invalid { error, .. } => ApiError::Unprocessable {
            message: "invalid configuration".to_string(),
            issues: error.issues,
            detail: None,
        },
        other => ApiError::BadRequest(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Probe {
        a: u32,
        b: Vec<Inner>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        c: String,
    }

    #[test]
    fn syntax_is_400_and_shape_is_422_with_the_path() {
        assert!(matches!(
            json::<Probe>(b"{\"a\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            json::<Probe>(br#"{"a": 1, "b": []} x"#),
            Err(ApiError::BadRequest(_))
        ));
        match json::<Probe>(br#"{"a": 1, "b": [{"c": 5}]}"#) {
            Err(ApiError::Unprocessable { issues, .. }) => assert_eq!(issues[0].field, "b[0].c"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn configs_are_validated_with_the_field_named() {
        let bad = br#"{"evaluation_interval_seconds": 0}"#;
        match engine_config(bad, ConfigFormat::Json) {
            Err(ApiError::Unprocessable { issues, .. }) => {
                assert!(
                    issues
                        .iter()
                        .any(|i| i.field == "evaluation_interval_seconds"),
                    "{issues:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let toml = b"evaluation_interval_seconds = 0\n";
        match engine_config(toml, ConfigFormat::Toml) {
            Err(ApiError::Unprocessable { issues, .. }) => assert_eq!(issues[0].line, Some(1)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            engine_config(b"evaluation_interval_seconds = = 3", ConfigFormat::Toml),
            Err(ApiError::BadRequest(_))
        ));
        assert!(engine_config(b"{}", ConfigFormat::Json).is_ok());
    }
}
