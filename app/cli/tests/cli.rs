//! End-to-end tests of the `greekhouse` binary.

#[path = "cli/idl_fetch.rs"]
mod idl_fetch;

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
fn quote_american_price_single_and_batch() {
    // Longstaff-Schwartz's put (S 36, K 40, sigma 20 %, 1 year, r 6 %): American 4.478 (the
    // engine's tree is within 0.015), European 3.844
    let put = [
        "quote", "--kind", "put", "--spot", "36", "--strike", "40", "--vol", "0.2", "--days",
        "365", "--rate", "0.06",
    ];
    let o = run(&[&put[..], &["--american", "--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!((v["price"].as_f64().unwrap() - 4.478).abs() < 0.015, "{v}");
    assert!(v["delta"].is_null(), "no American Greeks: {v}");
    let o = run(&[&put[..], &["--american"]].concat());
    assert!(stdout(&o).contains("American put"), "{}", stdout(&o));
    assert!(stdout(&o).contains("not computed"), "{}", stdout(&o));
    // batch: the same lines as the European batch, the American price in each; a call is its
    // European quote, Greeks included
    let input = concat!(
        r#"{"kind":"put","spot":36,"strike":40,"vol":0.2,"days":365,"rate":0.06}"#,
        "\n",
        r#"{"kind":"call","spot":42,"strike":40,"vol":0.2,"days":182.5,"rate":0.1}"#,
        "\n",
        r#"{"kind":"put","spot":100,"strike":100,"vol":20,"days":3650,"rate":0.05}"#,
        "\n",
    );
    let american = run_stdin(&["quote", "--batch", "--american"], input.as_bytes());
    let european = run_stdin(&["quote", "--batch"], input.as_bytes());
    assert!(american.status.success(), "{}", stderr(&american));
    let lines = |o: &Output| -> Vec<Value> {
        stdout(o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (am, eu) = (lines(&american), lines(&european));
    assert_eq!(am.len(), 3);
    assert!((am[0]["price"].as_f64().unwrap() - 4.478).abs() < 0.015);
    assert!(eu[0]["price"].as_f64().unwrap() < 3.85);
    assert_eq!(am[1], eu[1]);
    // vol 20 over 10 years: sigma sqrt T = 63.2 is accepted, 11 years would not be
    assert!(am[2]["price"].is_number(), "{}", am[2]);
    let too_long = r#"{"kind":"put","spot":100,"strike":100,"vol":20,"days":4015,"rate":0.05}"#;
    let o = run_stdin(&["quote", "--batch", "--american"], too_long.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["field"], "vol");
    assert!(
        v["error"].as_str().unwrap().contains("American tree"),
        "{v}"
    );
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
        "USDT",
        "cash gamma",
        "linked coll.",
        "calls covered",
        "exp. gap IM",
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
            "linked_collateral",
        ] {
            assert!(u[k].is_number(), "{k} in {u}");
        }
        assert!(u["calls_covered"].is_boolean(), "{u}");
        // SOL and BTC collateral are linked to their underlyings in the example
        assert!(u["linked_collateral"].as_f64().unwrap() > 0.0, "{u}");
        assert!(
            u["cash_gamma"].as_f64().unwrap() <= 0.0,
            "a short book has non-positive gamma"
        );
        assert!(u["addon_initial"].as_f64() >= u["addon_maintenance"].as_f64());
    }
    assert_eq!(v["quote"], "USDC");
    assert!(["healthy", "below_initial", "liquidatable"].contains(&v["status"].as_str().unwrap()));
    assert!(v.get("compare").is_none(), "--compare not asked");
    // 300 SOL at (150.25 - 0.06) x 0.95 (MM weight; price and conf from the SOL feed)
    assert!(
        (unds[0]["linked_collateral"].as_f64().unwrap() - 300.0 * 150.19 * 0.95).abs() < 1e-6,
        "{}",
        unds[0]
    );
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
            "unknown-linked-underlying",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "collaterals":[{"symbol":"ETH","decimals":8,"amount":"1","linked_underlying":"ETH","init_weight":"0.9","maint_weight":"0.95"}]}"#,
            "collaterals[0].linked_underlying: unknown underlying \"ETH\" (defined: SOL)",
        ),
        (
            "linked-price-not-the-feed",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "collaterals":[{"symbol":"SOL","decimals":9,"amount":"1","price":"151","linked_underlying":"SOL","init_weight":"0.9","maint_weight":"0.95"}]}"#,
            "collaterals[0].price: a linked collateral is priced by its underlying's feed: must equal underlyings[0].spot",
        ),
        (
            "unlinked-without-price",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}],
               "collaterals":[{"symbol":"SOL","decimals":9,"amount":"1","init_weight":"0.9","maint_weight":"0.95"}]}"#,
            "collaterals[0].price: missing",
        ),
        (
            "vol-ref-out-of-range",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]},"margin":{"vol_ref_secs":60}}]}"#,
            "underlyings[0].margin.vol_ref_secs: must be within 3600..=31536000",
        ),
        (
            "vol-shock-im-below-mm",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]},"margin":{"initial":{"vol_shock":"0.1"}}}]}"#,
            "underlyings[0].margin: rejected by the risk engine",
        ),
        (
            "bad-stale-secs",
            r#"{"underlyings":[{"name":"SOL","spot":"150","surface_stale_secs":"-5","surface":{"tenors":[{"days":30,"atm_vol":"0.6"}]}}]}"#,
            "underlyings[0].surface_stale_secs",
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

/// A one-underlying portfolio: SOL at 150, `collateral` SOL of collateral (linked to SOL or
/// not, same weights, price and conf either way) and 100 short `kind`s at `strike`, 30 days.
fn sol_book(kind: &str, strike: &str, linked: bool) -> String {
    let link = if linked {
        r#""linked_underlying": "SOL","#
    } else {
        ""
    };
    format!(
        r#"{{"underlyings": [{{"name": "SOL", "spot": "150", "conf": "0.05",
              "surface": {{"tenors": [{{"days": 30, "atm_vol": "0.7"}}]}}}}],
            "collaterals": [{{"symbol": "SOL", "decimals": 9, "amount": "100", {link}
              "price": "150", "conf": "0.05", "init_weight": "0.9", "maint_weight": "0.95"}}],
            "positions": [{{"underlying": "SOL", "kind": "{kind}", "strike": "{strike}", "days": 30,
              "contracts": 100}}]}}"#
    )
}

fn margin_json_of(name: &str, contents: &str, extra: &[&str]) -> Value {
    let path = temp_file(name, contents);
    let mut args = vec!["margin", path.to_str().unwrap(), "--json"];
    args.extend(extra);
    let o = run(&args);
    std::fs::remove_file(&path).ok();
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

#[test]
fn margin_linked_collateral_moves_the_requirement_the_expected_way() {
    let f = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_f64).unwrap();
    // SOL collateral behind short SOL calls (100 units for 100 calls): the collateral gains
    // when the calls lose, so linking lowers the MM requirement (and raises the MM equity,
    // the collateral value being the same)
    let unlinked = margin_json_of("calls-unlinked", &sol_book("call", "140", false), &[]);
    let linked = margin_json_of("calls-linked", &sol_book("call", "140", true), &[]);
    assert!(
        f(&linked, "/maintenance/requirement") < f(&unlinked, "/maintenance/requirement"),
        "linked {linked}\nunlinked {unlinked}"
    );
    assert!(f(&linked, "/maintenance/equity") > f(&unlinked, "/maintenance/equity"));
    assert_eq!(
        f(&linked, "/maintenance/collateral_value"),
        f(&unlinked, "/maintenance/collateral_value")
    );
    assert_eq!(linked["underlyings"][0]["calls_covered"], true);
    assert_eq!(unlinked["underlyings"][0]["calls_covered"], false);
    // 100 x (150 - 0.05) x 0.95
    assert!((f(&linked, "/underlyings/0/linked_collateral") - 14_245.25).abs() < 1e-6);
    assert_eq!(f(&unlinked, "/underlyings/0/linked_collateral"), 0.0);
    // behind short puts the collateral falls with the puts' loss: linking raises the MM
    // requirement (the wrong-way risk an unlinked weight would have to cover)
    let unlinked = margin_json_of("puts-unlinked", &sol_book("put", "150", false), &[]);
    let linked = margin_json_of("puts-linked", &sol_book("put", "150", true), &[]);
    assert!(
        f(&linked, "/maintenance/requirement") > f(&unlinked, "/maintenance/requirement"),
        "linked {linked}\nunlinked {unlinked}"
    );
    assert_eq!(linked["underlyings"][0]["calls_covered"], false); // only with short calls
}

#[test]
fn margin_refuses_the_old_field_names() {
    let und = |extra: &str, margin: &str| {
        format!(
            r#"{{"underlyings": [{{"name": "SOL", "spot": "150", {extra}
                "surface": {{"tenors": [{{"days": 30, "atm_vol": "0.6"}}]}}, "margin": {{ {margin} }}}}]}}"#
        )
    };
    let cases = [
        (
            "vol-up",
            und("", r#""initial": {"vol_up": "0.10"}"#),
            "underlyings[0].margin.initial.vol_up: no longer supported (Margin v2): use `vol_shock`",
        ),
        (
            "vol-down",
            und("", r#""maintenance": {"vol_shock": "0.2", "vol_down": "0.06"}"#),
            "underlyings[0].margin.maintenance.vol_down: no longer supported (Margin v2): use `vol_shock`",
        ),
        (
            "stale-penalty",
            und("", r#""stale_vol_penalty": "0.05""#),
            "underlyings[0].margin.stale_vol_penalty: no longer supported (Margin v2): use `stale_vol_per_hour` and `stale_vol_cap`",
        ),
        (
            "vol-stale",
            und(r#""vol_stale": true,"#, ""),
            "underlyings[0].vol_stale: no longer supported (Margin v2): use `surface_stale_secs`",
        ),
        (
            // even null: a v1 file must not be margined with silently changed meaning
            "vol-stale-null",
            und(r#""vol_stale": null,"#, ""),
            "underlyings[0].vol_stale: no longer supported",
        ),
    ];
    for (name, contents, needle) in cases {
        let path = temp_file(name, &contents);
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
}

#[test]
fn margin_new_fields_change_the_margin() {
    let f = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_f64).unwrap();
    let book = |stale: &str, days: &str| {
        format!(
            r#"{{"underlyings": [{{"name": "SOL", "spot": "150", "surface_stale_secs": {stale},
                 "surface": {{"tenors": [{{"days": 30, "atm_vol": "0.6"}}]}},
                 "margin": {{"initial": {{"vol_shock": "0.5"}}, "vol_ref_secs": 604800,
                   "vol_power": "0.5", "vol_term_cap": "2", "stale_vol_per_hour": "0.1",
                   "stale_vol_cap": "0.3"}}}}],
                "quote_balance": "10000",
                "positions": [{{"underlying": "SOL", "kind": "put", "strike": "160", "days": {days},
                  "contracts": 10}}]}}"#
        )
    };
    let fresh = margin_json_of("fresh", &book("0", "7"), &[]);
    let stale = margin_json_of("stale", &book("3600", "7"), &[]);
    assert!(f(&stale, "/liability") > f(&fresh, "/liability"));
    assert!(f(&stale, "/maintenance/requirement") > f(&fresh, "/maintenance/requirement"));
    // expired, unsettled: intrinsic value 10 x (160 - 150)
    let expired = margin_json_of("expired", &book("0", "0"), &[]);
    assert!(
        (f(&expired, "/liability") - 100.0).abs() < 1e-6,
        "{expired}"
    );
    assert_eq!(f(&expired, "/underlyings/0/vega"), 0.0);
}

/// An exact decimal (JSON string or number) times `10^shift` as a `Fixed`.
fn fixed_of(v: &Value, shift: u32) -> greekhouse_risk::Fixed {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a number: {other}"),
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let scale = 12 + shift as usize;
    assert!(frac.len() <= scale, "{text}");
    let digits = format!("{int}{frac:0<scale$}");
    greekhouse_risk::Fixed::from_raw(digits.parse().unwrap())
}

/// `--compare` against the formulas of `app/cli/src/peers.rs`, written out in f64 here (the
/// binary's modules are not importable from an integration test, and an independent reference
/// is the stronger check): the mapping of the portfolio to the formulas' inputs, the assumed
/// parameters, and the sums per underlying and in total.
#[test]
fn margin_compare_matches_the_peer_formulas_on_the_example() {
    use greekhouse_risk::{math, Fixed, Rounding};

    let path = example();
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let v = {
        let o = run(&["margin", path.to_str().unwrap(), "--json", "--compare"]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<Value>(stdout(&o).trim()).unwrap()
    };
    let c = &v["compare"];
    let f = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{p} in {v}"))
    };
    // Opyn naked per unit: puts (UB min(K, S(1-h)) + max(K - S(1-h), 0)), calls
    // (UB min(1, K/S') + max(1 - K/S', 0)) S with S' = S(1+h); h = 20 %
    let opyn = |call: bool, s: f64, k: f64, ub: f64| {
        let h = 0.2;
        if call {
            let r = k / (s * (1.0 + h));
            (ub * r.min(1.0) + (1.0 - r).max(0.0)) * s
        } else {
            ub * k.min(s * (1.0 - h)) + (k - s * (1.0 - h)).max(0.0)
        }
    };
    // Zeta per unit: max(dynamic - OTM/S, floor) S, puts capped at K (cap 100 %)
    let zeta = |call: bool, s: f64, k: f64, dynamic: f64, floor: f64| {
        let otm = if call { k - s } else { s - k }.max(0.0);
        let m = (dynamic - otm / s).max(floor) * s;
        if call {
            m
        } else {
            m.min(k)
        }
    };
    let close = |got: f64, want: f64, what: &str| {
        assert!(
            (got - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{what}: {got} vs {want}"
        );
    };
    let number = |v: &Value| -> f64 {
        match v {
            Value::String(s) => s.parse().unwrap(),
            other => other.as_f64().unwrap(),
        }
    };
    let spots: Vec<(String, f64)> = file["underlyings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap().to_string(), number(&u["spot"])))
        .collect();
    let positions = file["positions"].as_array().unwrap();
    assert_eq!(c["positions"].as_array().unwrap().len(), positions.len());
    let mut sums = vec![(0.0, 0.0, 0.0); spots.len()];
    for (i, p) in positions.iter().enumerate() {
        let u = spots
            .iter()
            .position(|(n, _)| n == p["underlying"].as_str().unwrap())
            .unwrap();
        let s = spots[u].1;
        let call = p["kind"].as_str().unwrap() == "call";
        let k = number(&p["strike"]);
        let qty = p["contracts"].as_u64().unwrap() as f64 * number(&p["contract_size"]);
        // every example position is beyond the 300 s pricing floor; UB(T) = min(1, 0.4 sqrt(T))
        // with T as the CLI computes it (years rounded down, the square root rounded up)
        let t = Fixed::from_ratio(
            fixed_of(&p["days"], 0).raw(),
            365 * 1_000_000_000_000,
            Rounding::Down,
        )
        .unwrap();
        let ub = (0.4 * math::sqrt(t).unwrap().raw() as f64 / 1e12).min(1.0);
        let o = opyn(call, s, k, ub) * qty;
        let zi = zeta(call, s, k, 0.25, 0.10) * qty;
        let zm = zeta(call, s, k, 0.125, 0.05) * qty;
        let row = &c["positions"][i];
        close(f(row, "/opyn_naked"), o, "opyn");
        close(f(row, "/zeta_initial_margin"), zi, "zeta IM");
        close(f(row, "/zeta_maintenance_margin"), zm, "zeta MM");
        close(f(row, "/opyn_upper_bound"), ub, "UB");
        sums[u].0 += o;
        sums[u].1 += zi;
        sums[u].2 += zm;
    }
    let rows = c["underlyings"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["name"], spots[i].0);
        let u = &v["underlyings"][i];
        let mark = f(u, "/liability");
        close(f(row, "/mark"), mark, "mark");
        close(f(row, "/opyn_naked"), sums[i].0, "opyn sum");
        close(f(row, "/zeta_initial"), mark + sums[i].1, "zeta IM sum");
        close(f(row, "/zeta_maintenance"), mark + sums[i].2, "zeta MM sum");
        close(
            f(row, "/greekhouse_initial"),
            mark + f(u, "/addon_initial"),
            "GH IM",
        );
        close(
            f(row, "/greekhouse_maintenance"),
            mark + f(u, "/addon_maintenance"),
            "GH MM",
        );
    }
    close(
        f(c, "/total/greekhouse_initial"),
        f(&v, "/initial/requirement"),
        "GH IM total",
    );
    close(
        f(c, "/total/greekhouse_maintenance"),
        f(&v, "/maintenance/requirement"),
        "GH MM total",
    );
    close(
        f(c, "/total/opyn_naked"),
        sums.iter().map(|s| s.0).sum(),
        "opyn total",
    );
    assert_eq!(f(c, "/params/opyn/spot_shock"), 0.2);
    assert_eq!(f(c, "/params/zeta_maintenance/dynamic_pct"), 0.125);
    assert!(c["sources"].as_array().unwrap().len() >= 2);
}

#[test]
fn margin_compare_table_shows_both_peers_and_their_sources() {
    let o = run(&["margin", example().to_str().unwrap(), "--compare"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "Greekhouse IM",
        "Greekhouse MM",
        "Opyn naked",
        "Zeta IM",
        "Zeta MM",
        "total",
        "opynfinance/GammaProtocol",
        "assumed",
        "docs/risk-model.md",
    ] {
        assert!(out.contains(needle), "no {needle:?} in\n{out}");
    }
    // the plain report is still there, before the comparison
    assert!(out.find("mark-to-market").unwrap() < out.find("Opyn naked").unwrap());
    let total = out.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().count(), 7, "{total}");
    // --compare needs a portfolio file
    let o = run(&[
        "margin",
        "--accounts",
        "x.json",
        "--writer",
        "x",
        "--compare",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// examples/spreads.json: a 7-day put spread and a 30-day call spread. Each is charged at most
/// its width (10 x 10 and 5 x 15 USDC), the table gains Opyn's spread vaults, and the long legs
/// are marked as such in the JSON.
#[test]
fn margin_of_spreads_is_at_most_their_width_beside_opyns_spread_vaults() {
    let spreads = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/spreads.json");
    let o = run(&["margin", spreads.to_str().unwrap(), "--compare"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Opyn spreads"), "{out}");
    let total = out.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(total.split_whitespace().count(), 8, "{total}");

    let o = run(&["margin", spreads.to_str().unwrap(), "--compare", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = |p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_f64())
            .unwrap_or_else(|| panic!("{p}: {v}"))
    };
    let widths = 10.0 * 10.0 + 5.0 * 15.0;
    let im = f("/initial/requirement");
    assert!(im <= widths + 1e-6, "IM {im} above the widths {widths}");
    assert!(f("/maintenance/requirement") <= im);
    let opyn = f("/compare/total/opyn_spreads");
    assert!(opyn < f("/compare/total/opyn_naked"), "{v}");
    let sides: Vec<&str> = v["compare"]["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["side"].as_str().unwrap())
        .collect();
    assert_eq!(sides, ["short", "long", "short", "long"]);
}

/// `greekhouse dashboard --port 0`: prints the page's address with the node's URL in its query,
/// redirects `/` there, serves app/dashboard's index.html and nothing outside the page's files.
#[test]
fn dashboard_serves_the_page_for_the_given_node() {
    use std::io::{BufRead, BufReader, Read};

    let mut child = bin()
        .args(["dashboard", "--url", "http://127.0.0.1:9/", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn greekhouse dashboard");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let get = |address: &str, path: &str| {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let served = || {
        let page = line
            .trim()
            .strip_prefix("dashboard: http://")
            .unwrap_or_else(|| panic!("{line}"));
        let (address, query) = page.split_once("/?").unwrap();
        assert_eq!(query, "url=http%3A%2F%2F127.0.0.1%3A9%2F");
        let redirect = get(address, "/");
        assert!(redirect.starts_with("HTTP/1.1 302"), "{redirect}");
        assert!(
            redirect.contains(&format!("location: /?{query}\r\n")),
            "{redirect}"
        );
        let index = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dashboard/index.html"),
        )
        .unwrap();
        let ok = get(address, &format!("/?{query}"));
        assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
        assert!(ok.contains("content-type: text/html"), "{ok}");
        assert!(ok.ends_with(&index), "{ok}");
        let outside = get(address, "/src/../serve.mjs");
        assert!(outside.starts_with("HTTP/1.1 404"), "{outside}");
    };
    let outcome = std::panic::catch_unwind(served);
    child.kill().unwrap();
    child.wait().unwrap();
    outcome.unwrap();
}

#[test]
fn dashboard_refuses_a_url_that_is_not_http() {
    let o = run(&["dashboard", "--url", "127.0.0.1:8899", "--port", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--url 127.0.0.1:8899"),
        "{}",
        stderr(&o)
    );
}
