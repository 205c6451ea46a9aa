//! The tables of every governed field in `docs/governance.md`, rendered from the engine's table
//! (`engine::governance_fields::GOVERNED_FIELDS`), so the document cannot drift from the
//! program: a test regenerates the section between the markers and fails on any difference
//! (`GREEKHOUSE_BLESS=1` rewrites it).

use greekhouse::engine::governance::{Dir, Step};
use greekhouse::engine::governance_fields::{GovernedField, GOVERNED_FIELDS};

/// First line of the generated section.
pub const BEGIN: &str = "<!-- BEGIN GENERATED: governed fields, from programs/greekhouse/src/engine/governance_fields.rs; regenerate with `GREEKHOUSE_BLESS=1 cargo nextest run --workspace -E 'test(/governance_doc/)'` -->";
/// Last line of the generated section.
pub const END: &str = "<!-- END GENERATED: governed fields -->";

/// `12345` as `12,345`.
pub fn thousands(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn step(s: Step) -> String {
    match s {
        Step::Factor { min_abs } => format!("f2({})", thousands(min_abs)),
        Step::Abs(n) => format!("abs({})", thousands(n)),
        Step::Free => "free".into(),
    }
}

fn class(d: Dir) -> &'static str {
    match d {
        Dir::Up => "up",
        Dir::Down => "down",
        Dir::Neutral => "neutral",
    }
}

fn row(
    g: &GovernedField,
    with_kind: bool,
    default: &dyn Fn(&GovernedField) -> Option<i128>,
) -> String {
    let bounds = g
        .bounds()
        .map(|(lo, hi)| format!("{}-{}", thousands(lo), thousands(hi)))
        .unwrap_or_else(|| "-".into());
    let default = default(g)
        .map(thousands)
        .unwrap_or_else(|| "per listing".into());
    let kind = if with_kind {
        format!("`{}` | ", g.kind)
    } else {
        String::new()
    };
    format!(
        "| {kind}`{}` | {default} | {bounds} | {} | {} | {} |\n",
        g.name,
        step(g.step),
        class(g.dir),
        g.rule
    )
}

/// The generated section, markers included. `default` gives a field's default (the global
/// parameters' `GlobalParams::DEFAULT`, the scenario fixtures' listing values); `None` prints
/// "per listing".
/// The generated sections: a title and the `GovValue` kinds it lists (every kind with a
/// governed field is in one, checked by a test).
pub const SECTIONS: [(&str, &[&str]); 3] = [
    (
        "Global (`GlobalParams`, in the `Clearinghouse`)",
        &["GlobalParams"],
    ),
    (
        "Per underlying (`Underlying`)",
        &[
            "MarginParams",
            "RealizedVol",
            "TailAndSize",
            "OracleConfig",
            "OpenInterest",
            "SeriesRules",
            "SurfaceLimits",
        ],
    ),
    (
        "Per collateral asset (`CollateralAsset`)",
        &["CollateralWeights", "DepositCap"],
    ),
];

pub fn governed_fields_markdown(default: &dyn Fn(&GovernedField) -> Option<i128>) -> String {
    let mut s = format!("{BEGIN}\n\n");
    let sections = SECTIONS;
    for (title, kinds) in sections {
        let with_kind = kinds.len() > 1;
        s += &format!("### {title}\n\n");
        s += if with_kind {
            "| value | field | default | hard bounds | step | class | also |\n|---|---|---|---|---|---|---|\n"
        } else {
            "| field | default | hard bounds | step | class | also |\n|---|---|---|---|---|---|\n"
        };
        for g in GOVERNED_FIELDS.iter().filter(|g| kinds.contains(&g.kind)) {
            s += &row(g, with_kind, default);
        }
        s += "\n";
    }
    s += END;
    s
}

/// `doc` with the section between the markers replaced by `section` (markers included);
/// `None` when the markers are missing.
pub fn replace_section(doc: &str, section: &str) -> Option<String> {
    let start = doc.find(BEGIN)?;
    let end = doc[start..].find(END)? + start + END.len();
    Some(format!("{}{section}{}", &doc[..start], &doc[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use greekhouse::constants::governance as g;
    use greekhouse::engine::governance_fields::kind_name;
    use greekhouse::state::{
        GlobalParams, GovValue, OpenInterestLimits, StoredRealizedVol, StoredTailAndSize,
        SurfaceLimits,
    };

    /// Defaults: the program's `GlobalParams::DEFAULT` and listing constants, and the scenario
    /// fixtures' listing values (strike tick and contract size differ per listing).
    fn default(f: &GovernedField) -> Option<i128> {
        let args = fixtures::underlying_args(
            0,
            "SOL",
            fixtures::pull_oracle([0; 32]),
            Default::default(),
            1,
            1,
        );
        let samples = [
            GovValue::GlobalParams(GlobalParams::DEFAULT),
            GovValue::MarginParams(args.margin),
            // as listed: the estimate's parameters set, the shock off
            GovValue::RealizedVol(StoredRealizedVol {
                initial_multiple_bps: 0,
                maintenance_multiple_bps: 0,
                ..StoredRealizedVol::default_params()
            }),
            // as listed: the engine's tail and charge, the capacity a tenth of the cap
            GovValue::TailAndSize(StoredTailAndSize::default_params(args.open_interest_cap)),
            GovValue::OracleConfig(args.oracle),
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: args.open_interest_cap,
                writer_share_bps: g::DEFAULT_WRITER_OPEN_INTEREST_SHARE_BPS,
                _padding: 0,
            }),
            GovValue::SeriesRules(args.series_rules),
            GovValue::SurfaceLimits(SurfaceLimits {
                max_age_secs: args.surface_max_age_secs,
                max_change_bps: args.surface_max_change_bps,
                anchor_interval_secs: g::DEFAULT_SURFACE_ANCHOR_INTERVAL_SECS,
                _padding: 0,
            }),
        ];
        if matches!(f.name, "strike_tick" | "contract_size") {
            return None;
        }
        samples
            .iter()
            .find(|v| kind_name(v) == f.kind)
            .and_then(|v| f.get(v))
    }

    #[test]
    fn every_governed_kind_has_a_section() {
        for f in GOVERNED_FIELDS.iter() {
            assert!(
                SECTIONS.iter().any(|(_, kinds)| kinds.contains(&f.kind)),
                "{f:?}: its kind is in no section of docs/governance.md"
            );
        }
    }

    #[test]
    fn governance_doc_lists_every_governed_field_as_the_engine_declares_it() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/governance.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let section = governed_fields_markdown(&default);
        let updated = replace_section(&doc, &section)
            .unwrap_or_else(|| panic!("docs/governance.md lacks the markers {BEGIN} ... {END}"));
        if std::env::var_os("GREEKHOUSE_BLESS").is_some() {
            std::fs::write(path, &updated).unwrap();
            return;
        }
        assert!(
            updated == doc,
            "docs/governance.md's table of governed fields differs from \
             engine/governance_fields.rs: regenerate it with \
             `GREEKHOUSE_BLESS=1 cargo nextest run --workspace -E 'test(/governance_doc/)'`"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-2_592_000), "-2,592,000");
    }
}
