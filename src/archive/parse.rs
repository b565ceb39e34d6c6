//! The archives' JSON answers, parsed without I/O: Software Heritage's
//! origin and latest-visit answers and its save-request answer, and the
//! Wayback Machine's availability answer.
//!
//! Owns what each answer means (which fields count, which dates and status
//! codes are accepted). Never sends a request; a malformed answer is an
//! `Err(reason)` the caller turns into an unknown outcome, never a panic.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

/// A snapshot the Wayback Machine offers for a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaybackSnapshot {
    pub url: String,
    pub date: Option<DateTime<Utc>>,
}

fn json<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("malformed {what} answer: {e}"))
}

/// `GET /api/1/origin/{url}/get/` answered 200: the origin is known when the
/// answer is an object with its `url` (swh-web `DOC_RETURN_ORIGIN`: "the
/// origin canonical url"), which is returned.
pub fn swh_origin(body: &[u8]) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Origin {
        url: String,
    }
    let o: Origin = json(body, "Software Heritage origin")?;
    if o.url.is_empty() {
        return Err("malformed Software Heritage origin answer: empty url".into());
    }
    Ok(o.url)
}

/// `GET /api/1/origin/search/{pattern}/` answered 200: a JSON array of
/// origins (swh-web `DOC_RETURN_ORIGIN_ARRAY_SEARCH`: `url`,
/// `origin_visits_url`, `has_visits`, ...); their URLs in order.
pub fn swh_search(body: &[u8]) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Origin {
        url: String,
    }
    let found: Vec<Origin> = json(body, "Software Heritage origin search")?;
    Ok(found.into_iter().map(|o| o.url).collect())
}

/// A capture the Wayback CDX server lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdxCapture {
    /// `YYYYMMDDhhmmss`.
    pub timestamp: String,
    /// The URL as captured.
    pub original: String,
}

/// `GET /cdx/search/cdx?...&output=json&limit=-1`: an array of arrays,
/// the first row the field names (`["urlkey","timestamp","original",
/// "mimetype","statuscode","digest","length"]`, internetarchive/wayback
/// `wayback-cdx-server/README.md`, "Output Format (JSON)"), then one row
/// per capture. The last capture with a 2xx status and a 14-digit
/// timestamp; `None` for an empty answer, `[]` or the header row alone.
pub fn wayback_cdx(body: &[u8]) -> Result<Option<CdxCapture>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let rows: Vec<Vec<String>> = json(body, "Wayback Machine CDX")?;
    let Some((fields, captures)) = rows.split_first() else {
        return Ok(None);
    };
    let col = |name: &str| {
        fields
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| format!("malformed Wayback Machine CDX answer: no `{name}` field"))
    };
    let (ts, orig, status) = (col("timestamp")?, col("original")?, col("statuscode")?);
    let ok = |r: &&Vec<String>| {
        let cell = |i: usize| r.get(i).map_or("", String::as_str);
        cell(status).len() == 3
            && cell(status).starts_with('2')
            && wayback_timestamp(cell(ts)).is_some()
            && matches!(
                url::Url::parse(cell(orig))
                    .map(|u| u.scheme().to_string())
                    .as_deref(),
                Ok("http" | "https")
            )
    };
    Ok(captures.iter().rev().find(ok).map(|r| CdxCapture {
        timestamp: r[ts].clone(),
        original: r[orig].clone(),
    }))
}

/// `GET /api/1/origin/{url}/visit/latest/?require_snapshot=true` answered
/// 200: the date of the last visit, `None` when that visit has no snapshot
/// (nothing of the code is held).
pub fn swh_latest_visit(body: &[u8]) -> Result<Option<DateTime<Utc>>, String> {
    #[derive(Deserialize)]
    struct Visit {
        date: String,
        #[serde(default)]
        snapshot: Option<String>,
    }
    let v: Visit = json(body, "Software Heritage visit")?;
    if v.snapshot.as_deref().is_none_or(str::is_empty) {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(&v.date)
        .map(|d| Some(d.with_timezone(&Utc)))
        .map_err(|_| format!("Software Heritage visit date `{}` is not RFC 3339", v.date))
}

/// `POST /api/1/origin/save/git/url/{url}/`: the request's status words,
/// `save_request_status` and, when present, `save_task_status`
/// ("accepted (not yet scheduled)").
pub fn swh_save(body: &[u8]) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Save {
        save_request_status: String,
        #[serde(default)]
        save_task_status: Option<String>,
    }
    let s: Save = json(body, "Software Heritage save")?;
    Ok(match s.save_task_status.filter(|t| !t.is_empty()) {
        Some(task) => format!("{} ({task})", s.save_request_status),
        None => s.save_request_status,
    })
}

/// `GET /wayback/available?url=...`: the closest snapshot when it is
/// available with a 2xx status, else `None`.
pub fn wayback_available(body: &[u8]) -> Result<Option<WaybackSnapshot>, String> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        archived_snapshots: Snapshots,
    }
    #[derive(Deserialize, Default)]
    struct Snapshots {
        #[serde(default)]
        closest: Option<Closest>,
    }
    #[derive(Deserialize)]
    struct Closest {
        #[serde(default)]
        available: bool,
        #[serde(default)]
        status: Option<String>,
        url: String,
        #[serde(default)]
        timestamp: Option<String>,
    }
    let a: Answer = json(body, "Wayback Machine")?;
    let Some(c) = a.archived_snapshots.closest else {
        return Ok(None);
    };
    let ok_status = c
        .status
        .as_deref()
        .and_then(|s| s.parse::<u16>().ok())
        .is_some_and(|s| (200..300).contains(&s));
    if !c.available || !ok_status || c.url.is_empty() {
        return Ok(None);
    }
    let date = c.timestamp.as_deref().and_then(wayback_timestamp);
    Ok(Some(WaybackSnapshot { url: c.url, date }))
}

/// A Wayback timestamp, `YYYYMMDDhhmmss` (UTC).
pub fn wayback_timestamp(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swh_answers() {
        assert_eq!(
            swh_origin(br#"{"url":"https://github.com/a/b","origin_visits_url":"x"}"#).unwrap(),
            "https://github.com/a/b"
        );
        assert!(swh_origin(b"{}").is_err());
        assert!(swh_origin(b"<html>").is_err());
        let d = swh_latest_visit(
            br#"{"date":"2024-03-01T10:20:30.123+00:00","snapshot":"ab12","status":"full"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-01T10:20:30.123+00:00");
        assert_eq!(
            swh_latest_visit(br#"{"date":"2024-03-01T10:20:30+00:00","snapshot":null}"#).unwrap(),
            None
        );
        assert!(swh_latest_visit(br#"{"date":"yesterday","snapshot":"ab"}"#).is_err());
        assert!(swh_latest_visit(b"[1,2").is_err());
    }

    #[test]
    fn save_status_words() {
        assert_eq!(
            swh_save(
                br#"{"save_request_status":"accepted","save_task_status":"not yet scheduled"}"#
            )
            .unwrap(),
            "accepted (not yet scheduled)"
        );
        assert_eq!(
            swh_save(br#"{"save_request_status":"rejected"}"#).unwrap(),
            "rejected"
        );
        assert!(swh_save(b"{}").is_err());
    }

    #[test]
    fn wayback_closest_needs_a_2xx_available_snapshot() {
        let found = wayback_available(
            br#"{"url":"x","archived_snapshots":{"closest":{"status":"200","available":true,
            "url":"http://web.archive.org/web/20240301000000/https://x/","timestamp":"20240301000000"}}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            found.date.unwrap().to_rfc3339(),
            "2024-03-01T00:00:00+00:00"
        );
        assert_eq!(
            wayback_available(br#"{"url":"x","archived_snapshots":{}}"#).unwrap(),
            None
        );
        let not_2xx = br#"{"archived_snapshots":{"closest":{"status":"404","available":true,"url":"u","timestamp":"20240301000000"}}}"#;
        assert_eq!(wayback_available(not_2xx).unwrap(), None);
        let unavailable =
            br#"{"archived_snapshots":{"closest":{"status":"200","available":false,"url":"u"}}}"#;
        assert_eq!(wayback_available(unavailable).unwrap(), None);
        assert!(wayback_available(b"not json").is_err());
        assert_eq!(wayback_timestamp("2024"), None);
    }

    #[test]
    fn cdx_rows_after_the_field_names() {
        // The README's own example (three 200 captures of archive.org).
        let body = br#"[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
 ["org,archive)/", "19970126045828", "http://www.archive.org:80/", "text/html", "200", "Q4YU", "1415"],
 ["org,archive)/", "19971011050034", "http://www.archive.org:80/", "text/html", "200", "XAHD", "1402"]]"#;
        assert_eq!(
            wayback_cdx(body).unwrap().unwrap(),
            CdxCapture {
                timestamp: "19971011050034".into(),
                original: "http://www.archive.org:80/".into()
            }
        );
        assert_eq!(wayback_cdx(b"").unwrap(), None);
        assert_eq!(wayback_cdx(b"[]").unwrap(), None);
        assert_eq!(
            wayback_cdx(
                br#"[["urlkey","timestamp","original","mimetype","statuscode","digest","length"]]"#
            )
            .unwrap(),
            None
        );
        // A 404 capture, a short row and a javascript: original never count.
        let bad = br#"[["timestamp","original","statuscode"],["20240101000000","https://x/","404"],["2024"],["20240101000000","javascript:alert(1)","200"]]"#;
        assert_eq!(wayback_cdx(bad).unwrap(), None);
        assert!(wayback_cdx(br#"[["timestamp"],["1"]]"#).is_err());
        assert!(wayback_cdx(b"<html>").is_err());
    }

    #[test]
    fn search_answers_are_arrays_of_origins() {
        let body =
            br#"[{"url":"https://github.com/Lab/Gone","origin_visits_url":"v","has_visits":true}]"#;
        assert_eq!(swh_search(body).unwrap(), ["https://github.com/Lab/Gone"]);
        assert_eq!(swh_search(b"[]").unwrap(), Vec::<String>::new());
        assert!(swh_search(b"{}").is_err());
    }
}
