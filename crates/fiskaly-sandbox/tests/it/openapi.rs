//! Every answer of the simulator checked against the response schema the
//! official OpenAPI document (SIGN DE v2.1.35) gives for its route and status.

use std::path::Path;

use reqwest::{Client, Method};
use serde_json::{json, Value};

struct Spec {
    doc: Value,
}

impl Spec {
    fn load() -> Self {
        // The provider's official document, kept beside the tests unchanged.
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sign-de-openapi-v2.1.35.json");
        let text = std::fs::read_to_string(&path).expect("the official OpenAPI document");
        Self {
            doc: serde_json::from_str(&text).unwrap(),
        }
    }

    /// Validates `body` against the schema of `method path` for `status`.
    fn check(&self, method: &str, path: &str, status: u16, body: &Value) {
        let pointer = format!(
            "/paths/{}/{}/responses/{status}/content/application~1json/schema",
            path.replace('~', "~0").replace('/', "~1"),
            method.to_lowercase()
        );
        assert!(
            self.doc.pointer(&pointer).is_some(),
            "the spec has no {status} answer for {method} {path}: {body}"
        );
        // The whole document with a root $ref: the schema's own $refs resolve inside it.
        let mut schema = self.doc.clone();
        // In a URI fragment the braces of a path template are percent-encoded.
        let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
        schema["$ref"] = json!(format!("#{fragment}"));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .expect("the spec's schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} {status}: {errors:?}\n{body:#}"
        );
    }
}

struct Api {
    http: Client,
    url: String,
    token: String,
    spec: Spec,
    checked: usize,
}

impl Api {
    /// Sends, checks the answer against the spec, returns it.
    async fn send(
        &mut self,
        method: Method,
        route: &str,
        path: &str,
        body: Option<Value>,
        expect: u16,
    ) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(status, expect, "{method} {path}: {answer}");
        self.spec.check(method.as_str(), route, status, &answer);
        self.checked += 1;
        answer
    }
}

#[tokio::test]
async fn every_answer_fits_the_official_schema() {
    let sb = fiskaly_sandbox::serve(
        ([127, 0, 0, 1], 0).into(),
        std::sync::Arc::new(fiskaly_sandbox::Sandbox::new()),
    )
    .await
    .unwrap();
    let mut api = Api {
        http: Client::new(),
        url: sb.url(),
        token: String::new(),
        spec: Spec::load(),
        checked: 0,
    };
    let key = json!({"api_key": fiskaly_sandbox::DEMO_API_KEY, "api_secret": fiskaly_sandbox::DEMO_API_SECRET});
    let auth = api
        .send(Method::POST, "/api/v2/auth", "/api/v2/auth", Some(key), 200)
        .await;
    api.send(
        Method::POST,
        "/api/v2/auth",
        "/api/v2/auth",
        Some(json!({"api_key": "x", "api_secret": "y"})),
        401,
    )
    .await;
    let refreshed = api
        .send(
            Method::POST,
            "/api/v2/auth",
            "/api/v2/auth",
            Some(json!({"refresh_token": auth["refresh_token"]})),
            200,
        )
        .await;
    api.token = refreshed["access_token"].as_str().unwrap().to_string();

    let tss_route = "/api/v2/tss/{tss_id}";
    let tss_id = "d4f0a1e2-0b1c-4d2e-8f3a-1b2c3d4e5f60";
    let tss_path = format!("/api/v2/tss/{tss_id}");
    let created = api
        .send(
            Method::PUT,
            tss_route,
            &tss_path,
            Some(json!({"metadata": {"shop": "1"}})),
            200,
        )
        .await;
    let puk = created["admin_puk"].as_str().unwrap().to_string();
    api.send(Method::GET, tss_route, &tss_path, None, 200).await;
    api.send(
        Method::GET,
        tss_route,
        "/api/v2/tss/00000000-0000-4000-8000-000000000000",
        None,
        404,
    )
    .await;
    api.send(
        Method::PATCH,
        tss_route,
        &tss_path,
        Some(json!({"state": "INITIALIZED"})),
        400,
    )
    .await;
    api.send(
        Method::PATCH,
        tss_route,
        &tss_path,
        Some(json!({"state": "UNINITIALIZED"})),
        200,
    )
    .await;
    api.send(Method::PUT, tss_route, &tss_path, None, 409).await;

    let admin = "/api/v2/tss/{tss_id}/admin";
    let admin_path = format!("{tss_path}/admin");
    api.send(
        Method::PATCH,
        admin,
        &admin_path,
        Some(json!({"admin_puk": "WRONGPUK00", "new_admin_pin": "123456"})),
        400,
    )
    .await;
    api.send(
        Method::PATCH,
        admin,
        &admin_path,
        Some(json!({"admin_puk": puk, "new_admin_pin": "123456"})),
        200,
    )
    .await;
    let login = "/api/v2/tss/{tss_id}/admin/auth";
    let login_path = format!("{tss_path}/admin/auth");
    api.send(
        Method::POST,
        login,
        &login_path,
        Some(json!({"admin_pin": "999999"})),
        401,
    )
    .await;
    api.send(
        Method::POST,
        login,
        &login_path,
        Some(json!({"admin_pin": "123456"})),
        200,
    )
    .await;
    api.send(
        Method::PATCH,
        tss_route,
        &tss_path,
        Some(json!({"state": "INITIALIZED"})),
        200,
    )
    .await;

    let client_route = "/api/v2/tss/{tss_id}/client/{client_id}";
    let client_id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let client_path = format!("{tss_path}/client/{client_id}");
    api.send(
        Method::PUT,
        client_route,
        &client_path,
        Some(json!({"serial_number": "bad_serial"})),
        400,
    )
    .await;
    api.send(
        Method::PUT,
        client_route,
        &client_path,
        Some(json!({"serial_number": "TILL-1"})),
        200,
    )
    .await;
    api.send(
        Method::PUT,
        client_route,
        &client_path,
        Some(json!({"serial_number": "TILL-2"})),
        409,
    )
    .await;
    api.send(Method::GET, client_route, &client_path, None, 200)
        .await;
    api.send(
        Method::GET,
        client_route,
        &format!("{tss_path}/client/{tss_id}"),
        None,
        404,
    )
    .await;
    api.send(
        Method::POST,
        "/api/v2/tss/{tss_id}/admin/logout",
        &format!("{tss_path}/admin/logout"),
        Some(json!({})),
        200,
    )
    .await;

    let tx_route = "/api/v2/tss/{tss_id}/tx/{tx_id_or_number}";
    let tx_path = format!("{tss_path}/tx/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d");
    let start = json!({"state": "ACTIVE", "client_id": client_id});
    api.send(
        Method::PUT,
        tx_route,
        &format!("{tx_path}?tx_revision=1"),
        Some(start.clone()),
        200,
    )
    .await;
    api.send(
        Method::PUT,
        tx_route,
        &format!("{tx_path}?tx_revision=3"),
        Some(start),
        400,
    )
    .await;
    let finish = json!({"state": "FINISHED", "client_id": client_id, "schema": {"standard_v1": {"receipt": {
        "receipt_type": "RECEIPT",
        "amounts_per_vat_rate": [{"vat_rate": "NORMAL", "amount": "11.90"}],
        "amounts_per_payment_type": [{"payment_type": "NON_CASH", "amount": "11.90"}],
    }}}});
    let done = api
        .send(
            Method::PUT,
            tx_route,
            &format!("{tx_path}?tx_revision=2"),
            Some(finish.clone()),
            200,
        )
        .await;
    assert!(done["qr_code_data"]
        .as_str()
        .unwrap()
        .starts_with("V0;TILL-1;Kassenbeleg-V1;Beleg^11.90_"));
    api.send(Method::GET, tx_route, &tx_path, None, 200).await;
    api.send(
        Method::GET,
        tx_route,
        &format!("{tss_path}/tx/{}", done["number"]),
        None,
        200,
    )
    .await;
    api.send(
        Method::GET,
        tx_route,
        &format!("{tx_path}?tx_revision=1"),
        None,
        200,
    )
    .await;
    api.send(
        Method::GET,
        tx_route,
        &format!("{tx_path}?tx_revision=9"),
        None,
        400,
    )
    .await;
    api.send(
        Method::GET,
        tx_route,
        &format!("{tss_path}/tx/6a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"),
        None,
        404,
    )
    .await;

    assert!(sb.state.disable_tss(tss_id));
    let other = format!("{tss_path}/tx/7a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d?tx_revision=1");
    let refused = api
        .send(
            Method::PUT,
            tx_route,
            &other,
            Some(json!({"state": "ACTIVE", "client_id": client_id})),
            400,
        )
        .await;
    assert_eq!(refused["code"], "E_TSS_DISABLED");
    api.send(Method::GET, tss_route, &tss_path, None, 200).await;
    assert_eq!(api.checked, 30);

    // The check itself catches a wrong answer: a counter as a number, a missing field, a bad code.
    let mut wrong = done.clone();
    wrong["signature"]["counter"] = json!(2);
    assert!(std::panic::catch_unwind(|| api.spec.check("PUT", tx_route, 200, &wrong)).is_err());
    let mut wrong = done.clone();
    wrong.as_object_mut().unwrap().remove("tss_serial_number");
    assert!(std::panic::catch_unwind(|| api.spec.check("PUT", tx_route, 200, &wrong)).is_err());
    let wrong = json!({"status_code": 404, "error": "Not Found", "code": "E_NOPE", "message": "x"});
    assert!(std::panic::catch_unwind(|| api.spec.check("GET", tss_route, 404, &wrong)).is_err());
}
