//! How a repository-root link is judged from the API answer alone. Pure:
//! never does any I/O.
//!
//! A link to a repository root (`https://github.com/owner/name`) needs no
//! page request when GitHub has answered about the repository: found ->
//! `ok` (or `redirected` when the repository was renamed), missing ->
//! `broken` 404. When GitHub could not answer (`Unknown`), this says
//! nothing and the caller requests the page itself.

use super::RepoRef;
use crate::model::{LinkResult, RepoOutcome, Status};

/// The status of the root link to `asked` given what GitHub said about it,
/// or `None` when the answer does not decide it (fall back to the page).
pub fn judge_root_link(outcome: &RepoOutcome, asked: &RepoRef) -> Option<LinkResult> {
    match outcome {
        RepoOutcome::Found(info) => {
            let renamed = info.is_renamed_from(&asked.full_name());
            let mut r = if renamed {
                LinkResult::without_request(
                    Status::Redirected,
                    format!("repository renamed to {}", info.canonical),
                )
            } else {
                LinkResult::without_request(Status::Ok, String::new())
            };
            r.http_status = Some(200);
            if renamed {
                r.final_url = Some(info.url.clone());
            }
            Some(r)
        }
        RepoOutcome::Missing => {
            let mut r = LinkResult::without_request(
                Status::Broken,
                "repository not found (deleted, renamed away or private)",
            );
            r.http_status = Some(404);
            Some(r)
        }
        RepoOutcome::Unknown(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RepoInfo;

    fn asked(full: &str) -> RepoRef {
        let (owner, name) = full.split_once('/').unwrap();
        RepoRef {
            owner: owner.into(),
            name: name.into(),
            root: true,
        }
    }

    fn found(canonical: &str) -> RepoOutcome {
        RepoOutcome::Found(Box::new(RepoInfo {
            canonical: canonical.into(),
            url: format!("https://github.com/{canonical}"),
            ..RepoInfo::default()
        }))
    }

    #[test]
    fn found_under_the_linked_name_is_ok_whatever_the_case() {
        let r = judge_root_link(&found("Owner/Repo"), &asked("owner/repo")).unwrap();
        assert_eq!(r.status, Status::Ok);
        assert_eq!(r.http_status, Some(200));
        assert_eq!(r.final_url, None);
        assert!(r.error.is_empty(), "{}", r.error);
    }

    #[test]
    fn found_under_another_name_is_redirected_to_it() {
        let r = judge_root_link(&found("new/name"), &asked("old/name")).unwrap();
        assert_eq!(r.status, Status::Redirected);
        assert_eq!(r.http_status, Some(200));
        assert_eq!(r.final_url.as_deref(), Some("https://github.com/new/name"));
        assert_eq!(r.error, "repository renamed to new/name");
    }

    #[test]
    fn missing_is_broken_404() {
        let r = judge_root_link(&RepoOutcome::Missing, &asked("a/b")).unwrap();
        assert_eq!(r.status, Status::Broken);
        assert_eq!(r.http_status, Some(404));
        assert_eq!(
            r.error,
            "repository not found (deleted, renamed away or private)"
        );
    }

    #[test]
    fn unknown_leaves_the_link_to_the_page_check() {
        let outcome = RepoOutcome::Unknown("rate limited".into());
        assert!(judge_root_link(&outcome, &asked("a/b")).is_none());
    }
}
