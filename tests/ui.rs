//! Compile-fail cases (`tests/ui`, one mistake each, full `.stderr` reviewed) and shapes that
//! must compile (`tests/ui-pass`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
