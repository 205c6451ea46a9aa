//! Program error codes by name: a failed transaction's custom code (Anchor: 6000 + the index
//! of the `GreekhouseError` variant) mapped to the name the IDL gives it, so an error from any
//! backend says which refusal it was.

use std::collections::HashMap;
use std::sync::OnceLock;

use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;

/// The IDL this SDK was built with (regenerated and checked by `greekhouse-idl --check`).
const IDL_JSON: &str = include_str!("../../../idl/greekhouse.json");

fn names() -> &'static HashMap<u32, String> {
    static NAMES: OnceLock<HashMap<u32, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let idl: serde_json::Value = serde_json::from_str(IDL_JSON).expect("bundled IDL parses");
        idl["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| Some((e["code"].as_u64()? as u32, e["name"].as_str()?.into())))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The program's name for error `code` (`None` for codes that are not the program's, such
/// as Anchor's own constraint errors below 6000).
pub fn error_name(code: u32) -> Option<&'static str> {
    names().get(&code).map(String::as_str)
}

/// The custom error code of a failed transaction, if an instruction returned one.
pub fn custom_code(err: &TransactionError) -> Option<u32> {
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_idl() {
        assert!(error_name(6000).is_some());
        assert_eq!(error_name(1), None);
    }

    /// Every program error is in the IDL the SDK decodes with, at Anchor's code (6000 + its
    /// position), with its name and message; and nothing else is.
    #[test]
    fn the_idls_errors_are_greekhouse_error() {
        use greekhouse::errors::GreekhouseError as E;
        assert!(E::ALL.len() >= 157, "{}", E::ALL.len());
        let idl: serde_json::Value = serde_json::from_str(IDL_JSON).unwrap();
        let errors = idl["errors"].as_array().unwrap();
        assert_eq!(
            errors.len(),
            E::ALL.len(),
            "the IDL lists another number of errors"
        );
        for (i, (err, e)) in E::ALL.iter().zip(errors).enumerate() {
            let code = 6000 + u32::try_from(i).unwrap();
            let name = err.name();
            assert_eq!(u32::from(*err), code, "{name}");
            assert_eq!(err.code(), code, "{name}");
            assert_eq!(e["code"].as_u64(), Some(u64::from(code)), "{name}");
            assert_eq!(e["name"].as_str(), Some(name.as_str()), "code {code}");
            assert_eq!(e["msg"].as_str(), Some(err.message()), "{name}");
            assert_eq!(err.to_string(), err.message(), "{name}");
            assert_eq!(error_name(code), Some(name.as_str()));
        }
        assert_eq!(u32::from(E::NotAdmin), 6000);
        assert_eq!(
            error_name(u32::from(E::ShareSupplyExceeded)),
            Some("ShareSupplyExceeded")
        );
    }
}
