//! Amendments (filled in by the service-layer redesign).
