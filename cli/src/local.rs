//! The guard of berth's own tests and benchmarks that talk to AWS APIs: they may only
//! reach a local server (moto on loopback), never an AWS account.
//!
//! The AWS SDK for Rust takes its endpoint from more places than `AWS_ENDPOINT_URL`:
//! service-specific variables (`AWS_ENDPOINT_URL_CLOUDFORMATION`, `AWS_ENDPOINT_URL_S3`,
//! …) win over it, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (from the environment or the
//! shared config file) makes it ignore both, and the shared config and credentials files
//! (`~/.aws/config`) can name endpoints, profiles and credential processes of their own.
//! [`loopback_endpoint`] refuses every one of those, and checks the URL strictly;
//! tests then also set the endpoint on the SDK configuration in code
//! ([`Session::endpoint`](crate::Session::endpoint)), which the environment cannot
//! override.
//!
//! ```
//! use berth_cli::local::parse_loopback_url;
//! assert!(parse_loopback_url("http://127.0.0.1:5000").is_ok());
//! assert!(parse_loopback_url("http://[::1]:5000/").is_ok());
//! assert!(parse_loopback_url("http://127.0.0.1:1@evil.example").is_err());
//! assert!(parse_loopback_url("https://cloudformation.us-east-1.amazonaws.com").is_err());
//! ```

use std::ffi::OsString;

/// The variable that names the local endpoint.
pub const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL";

/// Checks that `url` is `http://HOST:PORT` (an optional `/` after it) with a loopback
/// host (`127.0.0.0/8`, `[::1]` or `localhost`): no user info, path, query or fragment.
pub fn parse_loopback_url(url: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{ENDPOINT_VAR}={url:?} {why}"));
    let Some(rest) = url.strip_prefix("http://") else {
        return bad("is not an http:// URL (a local moto server speaks plain http)");
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['@', '/', '?', '#', '\\', ' ']) || authority.is_empty() {
        return bad("must be exactly http://HOST:PORT, with no user info, path or query");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once("]:") {
            Some((h, p)) => (h, p),
            None => return bad("has no port"),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => return bad("has no port"),
        }
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err()
    {
        return bad("has no valid port");
    }
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return bad("is not a loopback address; berth's tests only talk to a local moto server");
    }
    Ok(())
}

/// The local endpoint of berth's tests: `AWS_ENDPOINT_URL`, checked with
/// [`parse_loopback_url`], in an environment where nothing else can redirect the SDK.
/// Refuses when any `AWS_ENDPOINT_URL_*` variable or `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
/// is set, and unless `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name empty
/// files (so that no profile of the developer's applies). `scripts/test` sets all of this
/// up.
pub fn loopback_endpoint() -> Result<String, String> {
    check_environment(std::env::vars_os())
}

fn check_environment(vars: impl Iterator<Item = (OsString, OsString)>) -> Result<String, String> {
    let setup = "run the tests with scripts/test, which starts moto on loopback and sets this up";
    let mut endpoint = None;
    let mut config_file = None;
    let mut credentials_file = None;
    for (k, v) in vars {
        let k = k.to_string_lossy();
        let value = v.to_string_lossy().into_owned();
        match &*k {
            ENDPOINT_VAR => endpoint = Some(value),
            "AWS_CONFIG_FILE" => config_file = Some(value),
            "AWS_SHARED_CREDENTIALS_FILE" => credentials_file = Some(value),
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" => {
                return Err(format!(
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set: the AWS SDK would ignore the local endpoint; unset it ({setup})"
                ))
            }
            other if other.starts_with("AWS_ENDPOINT_URL_") => {
                return Err(format!(
                    "{other} is set: it would send that service's calls past the local endpoint; unset it ({setup})"
                ))
            }
            _ => {}
        }
    }
    let Some(endpoint) = endpoint else {
        return Err(format!(
            "{ENDPOINT_VAR} is not set: these tests need a moto server on loopback ({setup})"
        ));
    };
    parse_loopback_url(&endpoint)?;
    for (var, file) in [
        ("AWS_CONFIG_FILE", config_file),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials_file),
    ] {
        let Some(file) = file else {
            return Err(format!(
                "{var} is not set: the AWS SDK would read your own AWS configuration; point it at an empty file ({setup})"
            ));
        };
        match std::fs::metadata(&file) {
            Ok(m) if m.is_file() && m.len() == 0 => {}
            _ => {
                return Err(format!(
                    "{var}={file:?} is not an empty file: the AWS SDK would read profiles from it; point it at an empty file ({setup})"
                ))
            }
        }
    }
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_loopback_urls_pass() {
        for ok in [
            "http://127.0.0.1:5000",
            "http://127.0.0.1:5000/",
            "http://127.1.2.3:1",
            "http://localhost:4566",
            "http://[::1]:5000",
        ] {
            assert_eq!(parse_loopback_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:1@evil.example",
            "http://evil.example@127.0.0.1:1",
            "http://127.0.0.1.evil.example:80",
            "http://localhost.evil.example:80",
            "https://127.0.0.1:5000",
            "http://127.0.0.1",
            "http://127.0.0.1:",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:5000/path",
            "http://127.0.0.1:5000?x=1",
            "http://10.0.0.1:5000",
            "http://[::2]:5000",
            "http://[::1]",
            "127.0.0.1:5000",
            "",
        ] {
            assert!(parse_loopback_url(bad).is_err(), "{bad} passed");
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_environment_cannot_redirect_the_sdk() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        let full = dir.path().join("config");
        std::fs::write(&full, "[default]\nendpoint_url = https://example.com\n").unwrap();
        let (empty, full) = (empty.to_str().unwrap(), full.to_str().unwrap());
        let good = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_CONFIG_FILE", empty),
            ("AWS_SHARED_CREDENTIALS_FILE", empty),
        ];
        assert_eq!(
            check_environment(env(&good)),
            Ok("http://127.0.0.1:5000".into())
        );
        let with = |extra: (&'static str, &'static str)| {
            let mut v = good.to_vec();
            v.push(extra);
            check_environment(env(&v)).unwrap_err()
        };
        assert!(with((
            "AWS_ENDPOINT_URL_CLOUDFORMATION",
            "https://cloudformation.us-east-1.amazonaws.com"
        ))
        .starts_with("AWS_ENDPOINT_URL_CLOUDFORMATION is set"));
        assert!(with(("AWS_ENDPOINT_URL_S3", "")).starts_with("AWS_ENDPOINT_URL_S3 is set"));
        assert!(with(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))
            .starts_with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set"));
        let err = check_environment(env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_CONFIG_FILE", full),
            ("AWS_SHARED_CREDENTIALS_FILE", empty),
        ]))
        .unwrap_err();
        assert!(err.contains("is not an empty file"), "{err}");
        let err =
            check_environment(env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")])).unwrap_err();
        assert!(err.starts_with("AWS_CONFIG_FILE is not set"), "{err}");
        let err = check_environment(env(&[])).unwrap_err();
        assert!(err.starts_with("AWS_ENDPOINT_URL is not set"), "{err}");
        let err = check_environment(env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1@evil.example"),
            ("AWS_CONFIG_FILE", empty),
            ("AWS_SHARED_CREDENTIALS_FILE", empty),
        ]))
        .unwrap_err();
        assert!(err.contains("no user info"), "{err}");
    }
}
