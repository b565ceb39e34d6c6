//! The GitHub Action and the release workflow agree (issue 16): every
//! target the action's download step can pick is built and attached by the
//! release workflow, and nothing is built that the action never picks.
//! Also pins the action's interface (inputs, outputs) and that every
//! action it and the workflows use is pinned to a major version.

use std::collections::BTreeSet;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

fn load(path: &str) -> Yaml {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}: one YAML document");
    docs.remove(0)
}

fn key(y: &Yaml, k: &str) -> Yaml {
    y[k].clone()
}

/// The targets of the release workflow's build matrix.
fn release_targets(release: &Yaml) -> BTreeSet<String> {
    let include = key(
        &key(&key(&key(release, "jobs"), "build"), "strategy"),
        "matrix",
    );
    include["include"]
        .as_vec()
        .expect("release.yml: jobs.build.strategy.matrix.include is a list")
        .iter()
        .map(|entry| {
            entry["target"]
                .as_str()
                .expect("every matrix entry names a target")
                .to_owned()
        })
        .collect()
}

/// The step of action.yml with the given id.
fn action_step(action: &Yaml, id: &str) -> Yaml {
    action["runs"]["steps"]
        .as_vec()
        .expect("action.yml: runs.steps is a list")
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("action.yml: no step with id `{id}`"))
        .clone()
}

/// The targets action.yml's platform step maps runners to
/// (`TARGET_<OS>_<ARCH>` environment entries).
fn action_targets(action: &Yaml) -> BTreeSet<String> {
    let step = action_step(action, "platform");
    step["env"]
        .as_hash()
        .expect("the platform step has an env map")
        .iter()
        .filter(|(k, _)| k.as_str().is_some_and(|k| k.starts_with("TARGET_")))
        .map(|(_, v)| v.as_str().expect("a target is a string").to_owned())
        .collect()
}

#[test]
fn release_matrix_builds_exactly_the_targets_the_action_downloads() {
    let action = load("action.yml");
    let release = load(".github/workflows/release.yml");
    let built = release_targets(&release);
    let wanted = action_targets(&action);
    assert_eq!(
        wanted.len(),
        4,
        "Linux x86_64 and aarch64, macOS x86_64 and arm64: {wanted:?}"
    );
    assert_eq!(
        built, wanted,
        "release.yml builds {built:?}, action.yml downloads {wanted:?}"
    );
    // No Windows binary is released (it cannot be built or checked here):
    // Windows runners take the from-source path.
    assert!(!wanted.iter().any(|t| t.contains("windows")), "{wanted:?}");
    for os in ["LINUX", "MACOS"] {
        assert!(
            action_step(&action, "platform")["env"]
                .as_hash()
                .unwrap()
                .keys()
                .any(|k| k
                    .as_str()
                    .is_some_and(|k| k.starts_with(&format!("TARGET_{os}_")))),
            "a binary for {os}"
        );
    }
}

#[test]
fn release_asset_names_match_the_download_step() {
    // Both sides spell an asset `paperlinks-<target><ext>` with a
    // `<asset>.sha256` next to it.
    let release = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"),
    )
    .unwrap();
    let action = load("action.yml");
    let download = action_step(&action, "download")["run"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(release.contains(r#""dist/paperlinks-$TARGET""#));
    assert!(release.contains(r#"sha256sum "$f" > "$f.sha256""#));
    assert!(download.contains(r#"name="paperlinks-${TARGET}${EXT}""#));
    assert!(download.contains(r#""$base/$name.sha256""#));
}

#[test]
fn action_interface() {
    let action = load("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let names = |section: &str| -> BTreeSet<String> {
        action[section]
            .as_hash()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    };
    for input in ["args", "config", "token", "fail", "sarif-upload", "cache"] {
        assert!(names("inputs").contains(input), "input {input}");
    }
    assert_eq!(
        action["inputs"]["token"]["default"].as_str(),
        Some("${{ github.token }}")
    );
    for output in ["exit-code", "failures", "report-dir"] {
        assert!(names("outputs").contains(output), "output {output}");
    }
}

/// Every `uses:` value in a YAML tree.
fn uses(y: &Yaml, out: &mut Vec<String>) {
    match y {
        Yaml::Hash(h) => {
            for (k, v) in h {
                if k.as_str() == Some("uses")
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_owned());
                }
                uses(v, out);
            }
        }
        Yaml::Array(a) => a.iter().for_each(|v| uses(v, out)),
        _ => {}
    }
}

#[test]
fn every_action_is_pinned_to_a_version() {
    for path in [
        "action.yml",
        ".github/workflows/release.yml",
        "examples/github-actions.yml",
        "examples/github-actions-matrix.yml",
        "examples/github-actions-pr.yml",
    ] {
        let mut all = Vec::new();
        uses(&load(path), &mut all);
        assert!(!all.is_empty(), "{path} uses actions");
        for u in all {
            let (_, version) = u
                .split_once('@')
                .unwrap_or_else(|| panic!("{path}: `{u}` has no version"));
            assert!(
                version.starts_with('v') || version == "stable",
                "{path}: `{u}` is pinned to a version tag"
            );
        }
    }
}

/// The steps' `run` scripts of one job, joined.
fn job_scripts(workflow: &Yaml, job: &str) -> String {
    let steps = workflow["jobs"][job]["steps"].as_vec().expect("steps");
    steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_matrix_example_shards_by_the_matrix_and_merges_every_shard() {
    let w = load("examples/github-actions-matrix.yml");
    let shards: Vec<i64> = w["jobs"]["check"]["strategy"]["matrix"]["shard"]
        .as_vec()
        .expect("matrix.shard")
        .iter()
        .filter_map(Yaml::as_i64)
        .collect();
    let n = shards.len() as i64;
    assert!(n > 1);
    assert_eq!(shards, (1..=n).collect::<Vec<_>>(), "K runs over 1..N once");
    let check = job_scripts(&w, "check");
    assert!(
        check.contains(r#"--shard "${{ matrix.shard }}/${{ strategy.job-total }}""#),
        "N is the matrix size: {check}"
    );
    assert_eq!(w["jobs"]["merge"]["needs"].as_str(), Some("check"));
    let merge = job_scripts(&w, "merge");
    assert!(
        merge.contains("paperlinks merge shards/paperlinks-shard-*"),
        "{merge}"
    );
    // The inputs the shards read are the ones the merge re-reads.
    assert!(check.contains("paperlinks check papers/") && merge.contains("--input papers/"));
    let mut all = Vec::new();
    uses(&w, &mut all);
    assert!(
        all.iter()
            .any(|u| u.starts_with("actions/download-artifact@"))
    );
}

#[test]
fn the_pull_request_example_checks_against_the_base_with_full_history() {
    let w = load("examples/github-actions-pr.yml");
    let steps = w["jobs"]["check"]["steps"].as_vec().expect("steps");
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
        })
        .expect("checkout");
    assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0));
    let run = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("paperlinks/"))
        })
        .expect("the action");
    assert_eq!(run["with"]["changed-since"].as_str(), Some("base"));
    // The action maps "base" onto the pull request's base commit.
    let action = load("action.yml");
    assert!(!action["inputs"]["changed-since"].is_badvalue());
    let script = action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<String>();
    assert!(script.contains(r#"extra+=(--changed-since "$CHANGED_SINCE")"#));
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    assert!(text.contains("BASE_SHA: ${{ github.event.pull_request.base.sha }}"));
}
