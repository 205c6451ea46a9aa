//! End-to-end tests of the `greekhouse` binary.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_greekhouse"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run greekhouse")
}

fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn greekhouse");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn assert_no_panic(o: &Output) {
    assert!(
        !stderr(o).contains("panicked"),
        "the binary panicked: {}",
        stderr(o)
    );
    assert_ne!(o.status.code(), Some(101), "exit code 101 (panic)");
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/portfolio.json")
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("greekhouse-cli-test-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

const TEXTBOOK: [&str; 13] = [
    "quote", "--kind", "call", "--spot", "42", "--strike", "40", "--vol", "0.2", "--days", "182.5",
    "--rate", "0.1",
];

// ---------------------------------------------------------------------------------------------
// quote
// ---------------------------------------------------------------------------------------------

#[test]
fn quote_table() {
    let o = run(&TEXTBOOK);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let value = |name: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in\n{out}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    // Hull: 4.7594 for S=42, K=40, r=10 %, sigma=20 %, T=0.5 y
    assert!((value("price") - 4.7594).abs() < 5e-5, "{out}");
    assert!((value("delta") - 0.779_131).abs() < 1e-6, "{out}");
    assert!(
        value("gamma") > 0.0 && value("vega") > 0.0 && value("theta") < 0.0,
        "{out}"
    );
}

#[test]
fn quote_json() {
    let mut args = TEXTBOOK.to_vec();
    args[2] = "put";
    args.push("--json");
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["delta", "gamma", "price", "theta", "vega"]);
    assert!(obj.values().all(Value::is_number));
    assert!((v["price"].as_f64().unwrap() - 0.8086).abs() < 5e-5, "{v}");
    assert!(
        (v["delta"].as_f64().unwrap() + 0.220_869).abs() < 1e-6,
        "{v}"
    );
}

#[test]
fn quote_at_expiry_is_intrinsic() {
    let o = run(&[
        "quote", "--kind", "put", "--spot", "90", "--strike", "100", "--vol", "0.5", "--days", "0",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["price"].as_f64(), Some(10.0));
    assert_eq!(v["delta"].as_f64(), Some(-1.0));
}

#[test]
fn quote_bad_arguments_name_the_field() {
    for (field, args) in [
        (
            "spot",
            vec![
                "--spot", "-42", "--strike", "40", "--vol", "0.2", "--days", "1",
            ],
        ),
        (
            "spot",
            vec![
                "--spot", "4x2", "--strike", "40", "--vol", "0.2", "--days", "1",
            ],
        ),
        (
            "strike",
            vec![
                "--spot", "42", "--strike", "0", "--vol", "0.2", "--days", "1",
            ],
        ),
        (
            "vol",
            vec![
                "--spot", "42", "--strike", "40", "--vol", "0", "--days", "1",
            ],
        ),
        (
            "days",
            vec![
                "--spot", "42", "--strike", "40", "--vol", "0.2", "--days", "-1",
            ],
        ),
        (
            "spot",
            vec![
                "--spot",
                "0.0000000000001",
                "--strike",
                "40",
                "--vol",
                "0.2",
                "--days",
                "1",
            ],
        ),
    ] {
        let mut all = vec!["quote", "--kind", "call"];
        all.extend(args);
        let o = run(&all);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{all:?}");
        assert!(
            stderr(&o).contains(&format!("`{field}`")),
            "{all:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
    // clap usage errors exit with 2
    let o = run(&["quote", "--kind", "call"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn batch_happy_path() {
    let input = concat!(
        r#"{"kind":"call","spot":42,"strike":40,"vol":0.2,"days":182.5,"rate":0.1}"#,
        "\n",
        r#"{"kind":"put","spot":"42","strike":"40","vol":"0.2","days":"182.5","rate":"0.1"}"#,
        "\n",
        r#"{"kind":"call","spot":100,"strike":100,"vol":0.5,"days":30}"#,
        "\n",
    );
    let o = run_stdin(&["quote", "--batch"], input.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!((lines[0]["price"].as_f64().unwrap() - 4.7594).abs() < 5e-5);
    assert!((lines[1]["price"].as_f64().unwrap() - 0.8086).abs() < 5e-5);
    for l in &lines {
        for k in ["price", "delta", "gamma", "vega", "theta"] {
            assert!(l[k].is_number(), "{l}");
        }
    }
    assert!(stderr(&o).is_empty());
}

#[test]
fn batch_bad_line_names_line_and_field() {
    let input = concat!(
        r#"{"kind":"call","spot":42,"strike":40,"vol":0.2,"days":30}"#,
        "\n",
        r#"{"kind":"call","spot":42,"strike":40,"vol":"twenty","days":30}"#,
        "\n",
        "\n",
        r#"{"kind":"put","spot":42,"strike":40,"vol":0.2}"#,
        "\n",
        "this is not json\n",
        r#"{"kind":"put","spot":42,"strike":40,"vol":0.2,"days":30}"#,
        "\n",
    );
    let o = run_stdin(&["quote", "--batch"], input.as_bytes());
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // one output per non-blank input line, in order; processing went on after the errors
    assert_eq!(lines.len(), 5, "{}", stdout(&o));
    assert!(lines[0]["price"].is_number());
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["field"], "vol");
    assert!(lines[1]["error"].as_str().unwrap().contains("vol"));
    assert_eq!(lines[2]["line"], 4); // the blank line 3 is skipped but counted
    assert_eq!(lines[2]["field"], "days");
    assert!(lines[2]["error"].as_str().unwrap().contains("missing"));
    assert_eq!(lines[3]["line"], 5);
    assert!(lines[4]["price"].is_number());
    let err = stderr(&o);
    assert!(err.contains("line 2: field `vol`"), "{err}");
    assert!(err.contains("line 4: field `days`"), "{err}");
    assert!(err.contains("line 5:"), "{err}");
    assert!(err.contains("3 of 5 lines failed"), "{err}");
}

#[test]
fn batch_never_panics_on_garbage() {
    let input: &[u8] = b"{}\n[]\nnull\n{\"kind\":1}\n\xff\xfe\n{\"kind\":\"call\",\"spot\":1e400,\"strike\":1,\"vol\":1,\"days\":1}\n\
{\"kind\":\"call\",\"spot\":100000000000000000000000,\"strike\":1,\"vol\":1,\"days\":1}\n\
{\"kind\":\"call\",\"spot\":1,\"strike\":1,\"vol\":1000,\"days\":99999999}\n";
    let o = run_stdin(&["quote", "--batch"], input);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 8);
}

// ---------------------------------------------------------------------------------------------
// margin
// ---------------------------------------------------------------------------------------------

#[test]
fn margin_on_the_example_table() {
    let o = run(&["margin", example().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "add-on",
        "requirement",
        "collateral value",
        "equity",
        "liability",
        "mark-to-market",
        "SOL",
        "BTC",
        "cash gamma",
    ] {
        assert!(out.contains(needle), "no {needle:?} in\n{out}");
    }
}

#[test]
fn margin_on_the_example_json() {
    let o = run(&["margin", example().to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let f = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{p} in {v}"))
    };
    assert!(f("/initial/requirement") >= f("/end/requirement"));
    assert!(f("/end/requirement") >= f("/maintenance/requirement"));
    assert!(f("/maintenance/requirement") >= f("/liability"));
    assert!(f("/liability") > 0.0);
    assert!(
        f("/initial/equity") <= f("/end/equity") && f("/end/equity") <= f("/maintenance/equity")
    );
    for level in ["initial", "end", "maintenance"] {
        let eq = f(&format!("/{level}/collateral_value")) - f(&format!("/{level}/requirement"));
        assert!((eq - f(&format!("/{level}/equity"))).abs() < 1e-3);
    }
    let unds = v["underlyings"].as_array().unwrap();
    let names: Vec<&str> = unds.iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["SOL", "BTC"]);
    for u in unds {
        for k in [
            "delta",
            "cash_gamma",
            "vega",
            "theta",
            "addon_initial",
            "addon_maintenance",
            "liability",
        ] {
            assert!(u[k].is_number(), "{k} in {u}");
        }
        assert!(
            u["cash_gamma"].as_f64().unwrap() <= 0.0,
            "a short book has non-positive gamma"
        );
        assert!(u["addon_initial"].as_f64() >= u["addon_maintenance"].as_f64());
    }
    assert_eq!(v["quote"], "USDC");
    assert!(["healthy", "below_initial", "liquidatable"].contains(&v["status"].as_str().unwrap()));
}

#[test]
fn margin_malformed_files() {
    let cases = [
        (
            "truncated",
            r#"{"underlyings": [ {"name": "SOL""#,
            "invalid JSON",
        ),
        ("not-object", "[1, 2]", "expected a JSON object"),
        (
            "no-underlyings",
            r#"{"positions": []}"#,
            "underlyings: missing",
        ),
        (
            "bad-strike",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "positions":[{"underlying":"SOL","kind":"call","strike":"1x0","days":30,"contracts":1}]}"#,
            "positions[0].strike",
        ),
        (
            "unknown-underlying",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "positions":[{"underlying":"ETH","kind":"call","strike":"100","days":30,"contracts":1}]}"#,
            "positions[0].underlying",
        ),
        (
            "typo-field",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "positions":[{"underlying":"SOL","kind":"call","strike":"100","days":30,"contracts":1,"contract_sise":"1"}]}"#,
            "positions[0].contract_sise: unknown field",
        ),
        (
            "bad-weight",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "collaterals":[{"symbol":"SOL","decimals":9,"amount":"1","price":"150","init_weight":"0.95","maint_weight":"0.9"}]}"#,
            "collaterals[0].init_weight",
        ),
        (
            "too-precise-amount",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "collaterals":[{"symbol":"USDT","decimals":6,"amount":"1.0000001","price":"1","init_weight":"0.9","maint_weight":"0.95"}]}"#,
            "collaterals[0].amount",
        ),
        (
            "unsorted-tenors",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"},{"days":7,"atm_vol":"0.7"}]}}]}"#,
            "underlyings[0].surface.tenors[1].days",
        ),
    ];
    for (name, contents, needle) in cases {
        let path = temp_file(name, contents);
        let o = run(&["margin", path.to_str().unwrap()]);
        std::fs::remove_file(&path).ok();
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stdout(&o));
        assert!(
            stderr(&o).contains(needle),
            "{name}: expected {needle:?} in {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{name}");
    }
    let o = run(&["margin", "/nonexistent/portfolio.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read"));
}
