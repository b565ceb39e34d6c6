//! `paperlinks fix` (issue 25): the rules, byte-exact edits, dry-run =
//! write, idempotence, the refusal, and no request at all. Reports are
//! written by hand (each rule its own row), except in the end-to-end test,
//! which runs `check` against a local stand-in first.

use crate::support;
use std::path::Path;
use std::process::Command as Std;
use support::cmd::paperlinks;
use support::web::{Reply, WebServer};

const HEADER: &str = "source,line,column,paper,url,repo,status,http_status,final_url,error,elapsed_ms,checked_at,cached,first_failed_at,redirect_chain,archived_copy,archived_at,archive_checked_at,section,role,found_via,page_code_links,redirect_codes\n";

/// One links.csv row: what the rules read.
#[derive(Default)]
struct Row<'a> {
    source: &'a str,
    line: usize,
    column: usize,
    url: &'a str,
    repo: &'a str,
    status: &'a str,
    final_url: &'a str,
    codes: &'a [u16],
    role: &'a str,
    copy: &'a str,
}

fn write_reports(dir: &Path, rows: &[Row<'_>], renamed: &[(&str, &str)]) {
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let mut text = HEADER.to_string();
    for r in rows {
        let chain: Vec<String> = (0..r.codes.len())
            .map(|i| format!("https://hop.example/{i}"))
            .collect();
        let codes: Vec<String> = r.codes.iter().map(u16::to_string).collect();
        text.push_str(&format!(
            "{},{},{},,{},{},{},,{},,0,2026-01-01T00:00:00Z,false,,{},{},,,,{},,,\"{}\"\n",
            r.source,
            r.line,
            r.column,
            r.url,
            r.repo,
            if r.status.is_empty() {
                "redirected"
            } else {
                r.status
            },
            r.final_url,
            chain.join(" -> "),
            r.copy,
            if r.role.is_empty() { "code" } else { r.role },
            codes.join(","),
        ));
    }
    std::fs::write(reports.join("links.csv"), text).unwrap();
    let mut repos = String::from(
        "repo,canonical,url,papers,links,stars,forks,watchers,open_issues,license,language,created_at,pushed_at,last_commit_at,commits_90d,latest_release,latest_release_at,archived,fork,empty,health,days_since_push,rank,error,stars_delta,previous_report_at,fetched_at,cached,has_code\n",
    );
    for (from, to) in renamed {
        repos.push_str(&format!(
            "{from},{to},https://github.com/{to},1,1,1,0,0,0,,,,,,,,,false,false,false,active,1,1,,,,2026-01-01T00:00:00Z,false,true\n"
        ));
    }
    std::fs::write(reports.join("repos.csv"), repos).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!("output_dir = \"{}\"\n", reports.display()),
    )
    .unwrap();
}

fn fix(dir: &Path, args: &[&str]) -> std::process::Output {
    paperlinks()
        .current_dir(dir)
        .args(["fix", "--config", "config.toml"])
        .args(args)
        .output()
        .unwrap()
}

/// The 1-based character column of the `nth` `needle` on 1-based `line`.
fn col(text: &str, line: usize, needle: &str, nth: usize) -> usize {
    let l = text.split('\n').nth(line - 1).unwrap();
    let i = l.match_indices(needle).nth(nth).unwrap().0;
    l[..i].chars().count() + 1
}

#[test]
fn each_rule_with_its_own_link() {
    let list = "# Papers\n\
        - A: [code](https://github.com/old/repo/tree/main/models)\n\
        - B: https://lab.example.org/p1 and C: https://lab.example.org/p2\n\
        - D: http://lab.example.org/p3\n\
        - E: https://lab.example.org/t302 F: https://lab.example.org/root\n\
        - G: https://lab.example.org/mixed H: https://lab.example.org/away\n\
        - I: https://gitlab.example.org/dead/one J: https://gitlab.example.org/dead/two\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("list.md"), list).unwrap();
    let at = |line, needle| col(list, line, needle, 0);
    let row = |line, url: &'static str, final_url: &'static str, codes: &'static [u16]| Row {
        source: "list.md",
        line,
        column: at(line, url),
        url,
        final_url,
        codes,
        ..Row::default()
    };
    let mut rows = vec![
        Row {
            repo: "old/repo",
            ..row(2, "https://github.com/old/repo/tree/main/models", "", &[])
        },
        row(
            3,
            "https://lab.example.org/p1",
            "https://lab.example.org/n1",
            &[301, 301],
        ),
        row(
            3,
            "https://lab.example.org/p2",
            "https://www.lab.example.org/n2",
            &[308],
        ),
        row(
            4,
            "http://lab.example.org/p3",
            "https://lab.example.org/p3",
            &[301],
        ),
        row(
            5,
            "https://lab.example.org/t302",
            "https://lab.example.org/n",
            &[302],
        ),
        row(
            5,
            "https://lab.example.org/root",
            "https://lab.example.org/",
            &[301],
        ),
        row(
            6,
            "https://lab.example.org/mixed",
            "https://lab.example.org/n",
            &[301, 302],
        ),
        row(
            6,
            "https://lab.example.org/away",
            "https://other.example.net/n",
            &[301],
        ),
    ];
    for (url, copy) in [
        (
            "https://gitlab.example.org/dead/one",
            "https://archive.softwareheritage.org/browse/origin/?origin_url=one",
        ),
        ("https://gitlab.example.org/dead/two", ""),
    ] {
        rows.push(Row {
            status: "broken",
            copy,
            ..row(7, url, "", &[])
        });
    }
    write_reports(dir.path(), &rows, &[("old/repo", "new-org/repo2")]);
    let out = fix(dir.path(), &["--write"]);
    assert!(out.status.success(), "{out:?}");
    let want = list
        .replace("github.com/old/repo/", "github.com/new-org/repo2/")
        .replace("org/p1", "org/n1")
        .replace(
            "https://lab.example.org/p2",
            "https://www.lab.example.org/n2",
        )
        .replace("http://lab.example.org/p3", "https://lab.example.org/p3");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("list.md")).unwrap(),
        want
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("list.md:2: ") && said.contains("(renamed repository)"),
        "{said}"
    );
    // Dead code: only under --archived, only with a copy.
    let out = fix(dir.path(), &["--write", "--archived"]);
    assert!(out.status.success(), "{out:?}");
    let want = want.replace(
        "https://gitlab.example.org/dead/one",
        "https://archive.softwareheritage.org/browse/origin/?origin_url=one",
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("list.md")).unwrap(),
        want
    );
}

#[test]
fn byte_exact_crlf_non_ascii_no_final_newline_markdown_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (
        "https://a.example.org/x?p=1&q=2",
        "https://a.example.org/y?p=1&q=2",
    );
    let txt = format!("Überblick 😀 — {old} {old}\r\nsee {old}, é {old}");
    let md = format!("[{old}]({old}) <{old}>\r\n\r\n[ref]: {old}\n");
    let html = "<p>Ünï <a href=\"https://a.example.org/x?p=1&amp;q=2\">x</a></p>\n".to_string();
    std::fs::write(dir.path().join("a.txt"), &txt).unwrap();
    std::fs::write(dir.path().join("b.md"), &md).unwrap();
    std::fs::write(dir.path().join("c.html"), &html).unwrap();
    let mut rows = Vec::new();
    let r = |source: &'static str, line, column| Row {
        source,
        line,
        column,
        url: old,
        final_url: new,
        codes: &[301],
        ..Row::default()
    };
    for nth in 0..2 {
        rows.push(r("a.txt", 1, col(&txt, 1, old, nth)));
        rows.push(r("a.txt", 2, col(&txt, 2, old, nth)));
    }
    rows.push(r("b.md", 1, 2));
    rows.push(r("b.md", 1, col(&md, 1, old, 2)));
    rows.push(r("b.md", 3, col(&md, 3, old, 0)));
    rows.push(r("c.html", 1, col(&html, 1, "https", 0)));
    write_reports(dir.path(), &rows, &[]);
    let out = fix(dir.path(), &["--write"]);
    assert!(out.status.success(), "{out:?}");
    let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
    assert_eq!(read("a.txt"), txt.replace(old, new).into_bytes());
    assert_eq!(read("b.md"), md.replace(old, new).into_bytes());
    assert_eq!(read("c.html"), html.replace("/x?", "/y?").into_bytes());
    // Idempotent: a second run right after changes nothing and says so.
    let out = fix(dir.path(), &["--write"]);
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(read("a.txt"), txt.replace(old, new).into_bytes());
    assert_eq!(read("c.html"), html.replace("/x?", "/y?").into_bytes());
}

#[test]
fn a_changed_input_is_refused_and_nothing_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let list = "one https://a.example.org/old\ntwo https://a.example.org/old\n";
    std::fs::write(dir.path().join("a.txt"), list).unwrap();
    std::fs::write(dir.path().join("b.txt"), list).unwrap();
    let mut rows = Vec::new();
    for source in ["a.txt", "b.txt"] {
        for line in [1, 2] {
            rows.push(Row {
                source,
                line,
                column: 5,
                url: "https://a.example.org/old",
                final_url: "https://a.example.org/new",
                codes: &[301],
                ..Row::default()
            });
        }
    }
    write_reports(dir.path(), &rows, &[]);
    let edited = "one https://a.example.org/old\ntwo: https://a.example.org/old\n";
    std::fs::write(dir.path().join("b.txt"), edited).unwrap();
    let out = fix(dir.path(), &["--write"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("b.txt:2"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
        list
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.txt")).unwrap(),
        edited
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "no stray files: {names:?}");
}

#[test]
fn json_inputs_are_left_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let json = "[{\"title\": \"P\", \"githubRepo\": \"https://a.example.org/old\"}]";
    std::fs::write(dir.path().join("p.json"), json).unwrap();
    let row = Row {
        source: "p.json",
        line: 1,
        column: 30,
        url: "https://a.example.org/old",
        final_url: "https://a.example.org/new",
        codes: &[301],
        ..Row::default()
    };
    write_reports(dir.path(), &[row], &[]);
    let out = fix(dir.path(), &["--write"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("p.json: not rewritten"),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.json")).unwrap(),
        json
    );
}

/// `check` against a stand-in (301 then 200; a 302 left alone), then
/// `fix`: the dry-run's diff applied by `patch -p0` and by `git apply`
/// gives what `--write` writes, and `fix` makes no request.
#[tokio::test(flavor = "multi_thread")]
async fn check_then_fix_dry_run_equals_write_and_makes_no_request() {
    let web = WebServer::start(|req| match req.path.as_str() {
        "/old" => Reply::redirect(301, "/moved/page"),
        "/temp" => Reply::redirect(302, "/elsewhere"),
        _ => Reply::status(200),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let list = format!(
        "# Papers\r\n\r\n- Ünïcode title: [code]({old}) and {temp}\r\n- Ref: [also][r]\r\n\r\n[r]: {old}\r\n\r\n- Other: <{old}>",
        old = web.url("/old"),
        temp = web.url("/temp")
    );
    std::fs::write(dir.path().join("list.md"), &list).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "output_dir = \"reports\"\n[check]\nallow_private = true\nretries = 0\n[github]\nenabled = false\n[archive]\nenabled = false\n[forges]\nenabled = false\n[follow]\nenabled = false\n",
    )
    .unwrap();
    let out = paperlinks()
        .current_dir(dir.path())
        .args(["check", "--config", "config.toml", "list.md"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 2),
        "{out:?}"
    );
    let links = std::fs::read_to_string(dir.path().join("reports/links.csv")).unwrap();
    assert!(
        links.lines().next().unwrap().ends_with(",redirect_codes"),
        "{links}"
    );
    assert!(
        links.contains(",301\n") || links.contains(",301\r\n"),
        "{links}"
    );
    let summary = std::fs::read_to_string(dir.path().join("reports/summary.md")).unwrap();
    assert!(
        summary.contains("`paperlinks fix` would rewrite 3 links"),
        "{summary}"
    );
    let requests = web.requests();

    let dry = fix(dir.path(), &["--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("list.md")).unwrap(),
        list,
        "dry-run changes nothing"
    );
    let want = list.replace(&web.url("/old"), &web.url("/moved/page"));
    for tool in [&["patch", "-p0", "--quiet"][..], &["git", "apply"][..]] {
        let copy = tempfile::tempdir().unwrap();
        std::fs::write(copy.path().join("list.md"), &list).unwrap();
        let mut child = Std::new(tool[0])
            .args(&tool[1..])
            .current_dir(copy.path())
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&dry.stdout).unwrap();
        assert!(
            child.wait().unwrap().success(),
            "{tool:?}: {}",
            String::from_utf8_lossy(&dry.stdout)
        );
        assert_eq!(
            std::fs::read_to_string(copy.path().join("list.md")).unwrap(),
            want,
            "{tool:?}"
        );
    }
    let out = fix(dir.path(), &["--write"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("list.md")).unwrap(),
        want
    );
    let again = fix(dir.path(), &["--dry-run"]);
    assert!(
        again.status.success() && again.stdout.is_empty(),
        "{again:?}"
    );
    assert_eq!(web.requests(), requests, "fix makes no request");
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// A piece of a line as written, and as `fix` should leave it when
    /// every link redirects permanently to the same URL with `-x` added.
    fn piece() -> impl Strategy<Value = (String, String)> {
        prop_oneof![
            "[a-zé😀 ]{0,6}".prop_map(|s| (s.clone(), s)),
            "[a-z]{1,5}".prop_map(|p| (
                format!("https://a.example.org/{p}"),
                format!("https://a.example.org/{p}-x")
            )),
            "[a-z]{1,5}".prop_map(|p| (
                format!("[t](https://b.example.org/{p})"),
                format!("[t](https://b.example.org/{p}-x)")
            )),
            Just(("\u{fffd}".to_string(), "\u{fffd}".to_string())),
        ]
    }

    fn list() -> impl Strategy<Value = (String, String, bool)> {
        (
            proptest::collection::vec(
                (proptest::collection::vec(piece(), 0..5), any::<bool>()),
                1..6,
            ),
            any::<bool>(),
        )
            .prop_map(|(lines, md)| {
                let (mut text, mut fixed) = (String::new(), String::new());
                for (pieces, crlf) in lines {
                    let end = if crlf { "\r\n" } else { "\n" };
                    let (a, b): (Vec<String>, Vec<String>) = pieces.into_iter().unzip();
                    text.push_str(&format!("{}{end}", a.join(" ")));
                    fixed.push_str(&format!("{}{end}", b.join(" ")));
                }
                (text, fixed, md)
            })
    }

    /// links.csv rows from what `paperlinks extract` finds in `name`.
    fn extracted(dir: &Path, name: &str) -> Vec<csv::StringRecord> {
        let out = paperlinks()
            .current_dir(dir)
            .args(["extract", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut reader = csv::Reader::from_reader(&out.stdout[..]);
        reader.records().map(Result::unwrap).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        /// With no renames or redirects in the reports, `fix --write`
        /// leaves every byte of any list as it was.
        #[test]
        fn fix_without_renames_or_redirects_changes_no_byte((text, _fixed, md) in list(), cut in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let name = if md { "l.md" } else { "l.txt" };
            let text = if cut { text.trim_end().to_string() } else { text };
            std::fs::write(dir.path().join(name), &text).unwrap();
            let records = extracted(dir.path(), name);
            let rows: Vec<Row<'_>> = records
                .iter()
                .map(|r| Row {
                    source: &r[0],
                    line: r[1].parse().unwrap(),
                    column: r[2].parse().unwrap(),
                    url: &r[4],
                    status: "ok",
                    ..Row::default()
                })
                .collect();
            write_reports(dir.path(), &rows, &[]);
            let out = fix(dir.path(), &["--write", "--archived"]);
            prop_assert!(out.status.success(), "{:?}", out);
            prop_assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), text.into_bytes());
        }

        /// Every link redirected permanently (same site): `fix --write`
        /// rewrites each at its recorded position and nothing else, and a
        /// second run changes nothing.
        #[test]
        fn fix_rewrites_every_link_at_its_position((text, fixed, md) in list()) {
            let dir = tempfile::tempdir().unwrap();
            let name = if md { "l.md" } else { "l.txt" };
            std::fs::write(dir.path().join(name), &text).unwrap();
            let records = extracted(dir.path(), name);
            let finals: Vec<String> = records.iter().map(|r| format!("{}-x", &r[4])).collect();
            let rows: Vec<Row<'_>> = records
                .iter()
                .zip(&finals)
                .map(|(r, f)| Row {
                    source: &r[0],
                    line: r[1].parse().unwrap(),
                    column: r[2].parse().unwrap(),
                    url: &r[4],
                    final_url: f,
                    codes: &[301],
                    ..Row::default()
                })
                .collect();
            write_reports(dir.path(), &rows, &[]);
            for _ in 0..2 {
                let out = fix(dir.path(), &["--write"]);
                prop_assert!(out.status.success(), "{:?}", out);
                prop_assert_eq!(std::fs::read_to_string(dir.path().join(name)).unwrap(), fixed.clone());
            }
        }
    }
}
