//! Decoding of the events the program emits through Anchor's event CPI: each is a self-invoked
//! instruction whose data is `EVENT_IX_TAG || discriminator || borsh(event)`.

use anchor_lang::{AnchorDeserialize, Discriminator};
use greekhouse::events::*;

macro_rules! events {
    ($($name:ident),* $(,)?) => {
        /// Every event of the program.
        #[derive(Debug, Clone)]
        pub enum GreekhouseEvent {
            $($name($name),)*
        }

        impl GreekhouseEvent {
            /// Decode one event from the event-CPI instruction data; `None` when the data is not
            /// an event of this program.
            pub fn decode(ix_data: &[u8]) -> Option<Self> {
                let tag = anchor_lang::event::EVENT_IX_TAG_LE;
                let rest = ix_data.strip_prefix(tag)?;
                $(
                    if let Some(mut body) = rest.strip_prefix($name::DISCRIMINATOR) {
                        return $name::deserialize(&mut body).ok().map(GreekhouseEvent::$name);
                    }
                )*
                None
            }

            /// Every event's name and Anchor discriminator, in the program's order.
            pub fn all() -> Vec<(&'static str, &'static [u8])> {
                vec![$((stringify!($name), $name::DISCRIMINATOR),)*]
            }

            /// The event's type name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(GreekhouseEvent::$name(_) => stringify!($name),)*
                }
            }
        }

        $(
            impl ProgramEvent for $name {
                fn from_event(event: &GreekhouseEvent) -> Option<&Self> {
                    match event {
                        GreekhouseEvent::$name(e) => Some(e),
                        _ => None,
                    }
                }
            }
        )*
    };
}

/// One event type of the program, to pick out of a transaction's events
/// ([`crate::chain::TxOutcome::event`]).
pub trait ProgramEvent: Sized + Clone {
    fn from_event(event: &GreekhouseEvent) -> Option<&Self>;
}

// every event of the program, from its own list
greekhouse::for_each_event!(events);

#[cfg(test)]
mod tests {
    //! The decoder against the program's source and the IDL: an event the program declares
    //! (or the IDL lists) that this SDK does not decode fails here.
    use super::GreekhouseEvent;
    use serde_json::Value;

    const EVENTS_RS: &str = include_str!("../../../programs/greekhouse/src/events.rs");
    const IDL_JSON: &str = include_str!("../../../idl/greekhouse.json");

    /// `(name, field names)` of every `#[event]` struct of the program's `events.rs`.
    fn source_events() -> Vec<(String, Vec<String>)> {
        let mut out = vec![];
        let mut lines = EVENTS_RS.lines().peekable();
        while let Some(line) = lines.next() {
            if line.trim() != "#[cfg_attr(feature = \"anchor\", event)]" {
                continue;
            }
            let decl = lines
                .by_ref()
                .find(|l| l.starts_with("pub struct "))
                .expect("an #[event] attribute precedes a struct");
            let name = decl["pub struct ".len()..]
                .trim_end_matches(" {")
                .to_string();
            let fields = lines
                .by_ref()
                .take_while(|l| *l != "}")
                .filter_map(|l| l.trim().strip_prefix("pub ")?.split(':').next())
                .map(str::to_string)
                .collect();
            out.push((name, fields));
        }
        out
    }

    fn idl() -> Value {
        serde_json::from_str(IDL_JSON).unwrap()
    }

    #[test]
    fn the_sdk_decodes_every_event_the_program_declares() {
        let source: Vec<String> = source_events().into_iter().map(|(n, _)| n).collect();
        let sdk: Vec<String> = GreekhouseEvent::all()
            .into_iter()
            .map(|(n, _)| n.to_string())
            .collect();
        assert!(source.len() >= 41, "{source:?}");
        assert_eq!(
            sdk, source,
            "greekhouse::for_each_event! must list every #[event] of events.rs, in order"
        );
    }

    #[test]
    fn the_sdks_events_are_the_idls_names_discriminators_and_fields() {
        let idl = idl();
        let mut from_idl: Vec<(String, Vec<u8>)> = idl["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let disc = e["discriminator"].as_array().unwrap();
                let disc = disc.iter().map(|b| b.as_u64().unwrap() as u8).collect();
                (e["name"].as_str().unwrap().to_string(), disc)
            })
            .collect();
        let mut sdk: Vec<(String, Vec<u8>)> = GreekhouseEvent::all()
            .into_iter()
            .map(|(n, d)| (n.to_string(), d.to_vec()))
            .collect();
        from_idl.sort();
        sdk.sort();
        assert_eq!(
            sdk, from_idl,
            "the IDL's events (regenerate it: greekhouse-idl)"
        );

        // each event's fields, in order, as the program declares them
        let types = idl["types"].as_array().unwrap();
        for (name, fields) in source_events() {
            let ty = types
                .iter()
                .find(|t| t["name"] == name.as_str())
                .unwrap_or_else(|| panic!("the IDL has no type {name}"));
            let idl_fields: Vec<&str> = ty["type"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap())
                .collect();
            assert_eq!(idl_fields, fields, "fields of {name}");
        }
    }
}
