//! The OpenAPI document describes every route the router has, with its methods, and nothing
//! else: read from the router's source and the document the server serves.

use std::collections::BTreeSet;
use std::path::Path;

fn source(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).expect("source")
}

#[test]
fn the_openapi_document_lists_every_route_and_method() {
    let router = source("src/lib.rs");
    let mut routed = BTreeSet::new();
    for route in router.split(".route(\"").skip(1) {
        let path = &route[..route.find('"').expect("a path")];
        let handlers = route.split(".route(").next().unwrap_or_default();
        let handlers = &handlers[..handlers.find(")\n").unwrap_or(handlers.len())];
        for method in ["get", "post", "put", "patch", "delete"] {
            if handlers.contains(&format!(" {method}("))
                || handlers.contains(&format!(".{method}("))
            {
                routed.insert(format!("{method} {path}"));
            }
        }
    }
    let document: serde_json::Value =
        serde_json::from_str(&source("src/openapi.json")).expect("openapi.json is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let mut described = BTreeSet::new();
    for (path, methods) in document["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            described.insert(format!("{method} {path}"));
        }
    }
    assert!(
        routed.len() >= 13,
        "the router's routes were read: {routed:?}"
    );
    assert_eq!(routed, described);
}
