//! The contact-center systems, one folder each.
//!
//! A system's folder holds everything about it: its config section (`config.rs`), the facts
//! both sides share (`inferred.rs`, signing algorithms), its connector (`connector/`: the
//! vendor's wire types and the mapping between our chat and its calls), its emulator
//! (`emulator/`: its own request types, strict where the vendor is), fixtures from the
//! vendor's documentation and a `PROTOCOL.md` with the sources. Its `mod.rs` says how to build
//! it from the configuration. Connectors never import emulators.
//!
//! Adding a system is a new folder, its `mod` line below and its line in [`SYSTEMS`]
//! (see `ARCHITECTURE.md`).

pub mod amazon_connect;
pub mod beyondtrust;
mod capabilities;
mod channel;
mod config;
pub mod eight_by_eight;
pub mod five9;
pub mod glia;
pub mod google_chat;
pub mod mock;
mod redirect;
mod registry;
pub mod servicenow;
pub mod servicenow_web;
pub mod slack;
pub mod teams;
pub mod url;
pub mod vayusphere;
pub mod webex;

pub use capabilities::{Capabilities, Capability};
pub use config::{Section, SystemsConfig};
pub use registry::{
    BoxFuture, BuildError, Built, System, SystemName, UnknownSystem, build, build_with, emulate,
};

/// Every system `--system` can name, in the order messages list them.
pub static SYSTEMS: &[&System] = &[
    &servicenow::SYSTEM,
    &amazon_connect::SYSTEM,
    &eight_by_eight::SYSTEM,
    &glia::SYSTEM,
    &beyondtrust::SYSTEM,
    &vayusphere::SYSTEM,
    &url::SYSTEM,
    &five9::SYSTEM,
    &servicenow_web::SYSTEM,
    &slack::SYSTEM,
    &teams::SYSTEM,
    &webex::SYSTEM,
    &google_chat::SYSTEM,
    &mock::SYSTEM,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_parse_to_their_system() {
        assert_eq!("8x8".parse::<SystemName>().unwrap(), eight_by_eight::NAME);
        assert_eq!(
            "Amazon-Connect".parse::<SystemName>().unwrap(),
            amazon_connect::NAME
        );
        assert_eq!(
            "connect".parse::<SystemName>().unwrap(),
            amazon_connect::NAME
        );
        assert_eq!(
            "service-now".parse::<SystemName>().unwrap(),
            servicenow::NAME
        );
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let error = "nope".parse::<SystemName>().unwrap_err().to_string();
        assert_eq!(
            error,
            "unknown system \"nope\"; expected one of servicenow, amazon-connect, 8x8, glia, beyondtrust, vayusphere, url, five9, servicenow-web, slack, teams, webex, google-chat, mock"
        );
    }

    #[test]
    fn every_name_is_unique_and_resolves_to_its_entry() {
        for system in SYSTEMS {
            assert!(std::ptr::eq(system.name.system().unwrap(), *system));
            for alias in system.aliases {
                assert_eq!(alias.parse::<SystemName>().unwrap(), system.name);
            }
        }
    }
}
