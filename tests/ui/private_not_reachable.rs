// What the derive's generated code calls is not a public module of the facade.
use relations::private::Pending;

fn main() {}
