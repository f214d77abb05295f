//! Commit-message trailers (`Reviewed-by:`, `Reviews:`) on any message: only what is there.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|message: &str| {
    for (key, value) in policybook::pipeline::history::parse_trailers(message) {
        assert!(message.contains(key.as_str()));
        let first = value.split('\n').next().unwrap_or("");
        assert!(message.contains(first));
    }
});
