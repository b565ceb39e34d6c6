//! The health word of a repository outcome. Pure: never does any I/O.

use crate::config::GithubConfig;
use crate::model::{Health, RepoOutcome};
use chrono::{DateTime, Utc};

/// Runtime stages of a Hugging Face Space that mean it does not run
/// (huggingface_hub `SpaceStage`: `NO_APP_FILE` is a Space without the app
/// file its SDK needs, so nothing can start).
pub(super) const FAILING_STAGES: [&str; 4] = [
    "BUILD_ERROR",
    "RUNTIME_ERROR",
    "CONFIG_ERROR",
    "NO_APP_FILE",
];

/// The health word of a repository on any forge (other forges fill the
/// same `RepoInfo`; `has_code` is always true there, so `placeholder` is
/// GitHub's alone). First match wins: `missing` (not found), `unavailable`
/// (the forge refuses to serve it: a takedown, a block), `archived`,
/// `failing` (a Space whose runtime stage is an error),
/// `empty` (no commits), `placeholder` (commits but no code in any language
/// GitHub detects), `stale` (last push older than `stale_after_days`; when
/// GitHub gives no push date, the last commit date is used, and with
/// neither the repository is not called stale), `active`; `unknown` when it
/// could not be fetched.
pub fn health(outcome: &RepoOutcome, config: &GithubConfig, now: DateTime<Utc>) -> Health {
    let info = match outcome {
        RepoOutcome::Missing => return Health::Missing,
        RepoOutcome::Unavailable(_) => return Health::Unavailable,
        RepoOutcome::Unknown(_) => return Health::Unknown,
        RepoOutcome::Found(info) => info,
    };
    if info.archived {
        Health::Archived
    } else if info
        .runtime
        .as_deref()
        .is_some_and(|stage| FAILING_STAGES.contains(&stage))
    {
        Health::Failing
    } else if info.empty {
        Health::Empty
    } else if !info.has_code {
        Health::Placeholder
    } else if info
        .pushed_at
        .or(info.last_commit_at)
        .is_some_and(|t| now - t > chrono::Duration::days(config.stale_after_days))
    {
        Health::Stale
    } else {
        Health::Active
    }
}

/// How far in the future a push date may lie before it is called wrong
/// (clocks differ a little).
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Whole days since the last push; `None` without a push date, or when it
/// lies in the future (beyond a few minutes of clock skew): a wrong date
/// or clock, which [`future_push_note`] reports.
pub fn days_since_push(pushed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    let since = now.signed_duration_since(pushed_at?);
    (since >= -CLOCK_SKEW).then(|| since.num_days().max(0))
}

/// A note naming the repositories (`names`, one per outcome) whose push
/// date lies in the future, if any.
pub fn future_push_note<'a>(
    forge: &str,
    outcomes: impl IntoIterator<Item = &'a RepoOutcome>,
    names: impl IntoIterator<Item = String>,
    now: DateTime<Utc>,
) -> Option<String> {
    let future: Vec<String> = outcomes
        .into_iter()
        .zip(names)
        .filter(|(o, _)| {
            matches!(o, RepoOutcome::Found(i)
                if i.pushed_at.is_some() && days_since_push(i.pushed_at, now).is_none())
        })
        .map(|(_, n)| n)
        .collect();
    (!future.is_empty()).then(|| {
        format!(
            "{} {forge} repositories report a last push in the future (later than this \
             machine's clock): their days_since_push is left empty: {}",
            future.len(),
            future.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RepoInfo;

    fn found(f: impl FnOnce(&mut RepoInfo)) -> RepoOutcome {
        let mut info = RepoInfo {
            canonical: "a/b".into(),
            has_code: true,
            pushed_at: Some(now() - chrono::Duration::days(10)),
            ..RepoInfo::default()
        };
        f(&mut info);
        RepoOutcome::Found(Box::new(info))
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-26T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn h(o: &RepoOutcome) -> Health {
        health(o, &GithubConfig::default(), now())
    }

    #[test]
    fn precedence() {
        assert_eq!(h(&RepoOutcome::Missing), Health::Missing);
        assert_eq!(
            h(&RepoOutcome::Unavailable("dmca".into())),
            Health::Unavailable
        );
        assert_eq!(h(&RepoOutcome::Unknown("x".into())), Health::Unknown);
        assert_eq!(h(&found(|_| {})), Health::Active);
        let old = now() - chrono::Duration::days(400);
        assert_eq!(
            h(&found(|i| {
                i.archived = true;
                i.empty = true;
                i.has_code = false;
                i.pushed_at = Some(old);
            })),
            Health::Archived
        );
        assert_eq!(
            h(&found(|i| {
                i.empty = true;
                i.has_code = false;
                i.pushed_at = Some(old);
            })),
            Health::Empty
        );
        assert_eq!(
            h(&found(|i| {
                i.has_code = false;
                i.pushed_at = Some(old);
            })),
            Health::Placeholder
        );
        assert_eq!(h(&found(|i| i.pushed_at = Some(old))), Health::Stale);
        for stage in FAILING_STAGES {
            let space = found(|i| {
                i.runtime = Some(stage.into());
                i.pushed_at = Some(old);
            });
            assert_eq!(h(&space), Health::Failing, "{stage}");
        }
        for stage in ["RUNNING", "SLEEPING", "PAUSED", "BUILDING"] {
            assert_eq!(
                h(&found(|i| i.runtime = Some(stage.into()))),
                Health::Active
            );
        }
    }

    #[test]
    fn a_push_in_the_future_has_no_days_since_push_and_a_note() {
        let at = |mins| Some(now() + chrono::Duration::minutes(mins));
        assert_eq!(days_since_push(at(-3 * 24 * 60), now()), Some(3));
        assert_eq!(days_since_push(at(2), now()), Some(0), "clock skew");
        assert_eq!(days_since_push(at(2 * 24 * 60), now()), None);
        assert_eq!(days_since_push(None, now()), None);
        let outcomes = [
            found(|i| i.pushed_at = at(600)),
            found(|_| {}),
            RepoOutcome::Missing,
        ];
        let names = ["a/future", "b/fine", "c/gone"].map(String::from);
        let note = future_push_note("GitHub", &outcomes, names, now()).unwrap();
        assert!(
            note.starts_with("1 GitHub repositories") && note.ends_with("a/future"),
            "{note}"
        );
        let fine = [found(|_| {})];
        assert_eq!(
            future_push_note("GitHub", &fine, ["x".to_string()], now()),
            None
        );
    }

    #[test]
    fn stale_threshold_and_fallbacks() {
        let d = |days| Some(now() - chrono::Duration::days(days));
        assert_eq!(h(&found(|i| i.pushed_at = d(365))), Health::Active);
        assert_eq!(h(&found(|i| i.pushed_at = d(366))), Health::Stale);
        assert_eq!(
            h(&found(|i| {
                i.pushed_at = None;
                i.last_commit_at = d(800);
            })),
            Health::Stale
        );
        assert_eq!(h(&found(|i| i.pushed_at = None)), Health::Active);
        let cfg = GithubConfig {
            stale_after_days: 5,
            ..GithubConfig::default()
        };
        assert_eq!(health(&found(|_| {}), &cfg, now()), Health::Stale);
    }
}
