//! One module per subcommand.

pub mod compare;
pub mod replay;
pub mod report;
pub mod run;
