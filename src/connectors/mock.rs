//! The mock desk: an in-process simulated contact center (written next).
