//! One module per subcommand.

pub mod compare;
pub mod compare_policies;
pub mod fleet_server;
pub mod live;
pub mod replay;
pub mod report;
pub mod run;
pub mod sweep;
