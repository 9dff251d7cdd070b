//! The shared Store conformance suite, on a fresh PostgreSQL database per test.

mod support;

askaround_store::conformance_tests!(support::fresh_store());
