//! Every JSON answer printed in the provider's guides decodes, and re-encodes
//! without losing or changing a field.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use secuconnect::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes `value` as `T` and checks that it encodes back to the same JSON.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).expect("decodes");
    let again = serde_json::to_value(&typed).expect("encodes");
    assert_json_eq(value, &again, "$");
    typed
}

/// Equality with the path of the first difference in the panic message.
fn assert_json_eq(want: &Value, got: &Value, path: &str) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let gv = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} lost in re-encoding"));
                assert_json_eq(wv, gv, &format!("{path}.{k}"));
            }
            for k in g.keys() {
                assert!(w.contains_key(k), "{path}.{k} added in re-encoding");
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            assert_eq!(w.len(), g.len(), "{path}: array length");
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                assert_json_eq(wv, gv, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(want, got, "{path}"),
    }
}

#[test]
fn token_answer_of_guide_01() {
    let t: TokenAnswer = round_trip(&fixture("01-oauth-token-answer.json"));
    assert_eq!(t.expires_in, 1200);
    assert_eq!(t.token_type.as_deref(), Some("bearer"));
    assert!(t.refresh_token.is_none());
}

#[test]
fn create_answer_of_guide_01() {
    let stx: SmartTransaction = round_trip(&fixture("01-create-answer.json"));
    assert_eq!(stx.id, "STX_2AUSR7M6B2NHPG3C4JTKBEY07YXSAZ");
    assert_eq!(stx.status, TransactionStatus::Created);
    assert_eq!(stx.basket_info.as_ref().map(|b| b.sum), Some(500));
    assert_eq!(
        stx.merchant.as_ref().and_then(|m| m.companyname()),
        Some("Musterhändler GmbH")
    );
    let customer = stx.customer.as_ref().expect("customer");
    assert_eq!(
        customer.id.as_deref(),
        Some("PCU_WFC7ER68R2PAA5D7DWYR7A9X04ZSAJ")
    );
    let contact = customer.contact.as_ref().expect("contact");
    assert_eq!(contact.salutation.as_deref(), Some("Herr"));
    assert_eq!(
        contact
            .address
            .as_ref()
            .and_then(|a| a.postal_code.as_deref()),
        Some("09123")
    );
    let links = stx.payment_links.as_ref().expect("payment links");
    assert!(links
        .general
        .as_deref()
        .unwrap()
        .contains("stx=STX_2AUSR7M6B2NHPG3C4JTKBEY07YXSAZ"));
    assert!(links.eps.is_some() && links.giropay.is_some());
    let context = stx
        .application_context
        .as_ref()
        .expect("application context");
    assert_eq!(
        context.checkout_template.as_deref(),
        Some("COT_WD0DE66HN2XWJHW8JM88003YG0NEA2")
    );
    assert_eq!(context.language.as_deref(), Some("de"));
    assert_eq!(stx.checkout_link(), links.general.as_deref());
    // Not modelled, kept: payment_context.
    assert!(stx.extra.contains_key("payment_context"));
    // 2020-02-04T15:34:00+01:00 is 14:34 UTC.
    let created = stx.created.as_ref().expect("created").at();
    assert_eq!(created.offset().local_minus_utc(), 3600);
    assert_eq!(created.naive_utc().to_string(), "2020-02-04 14:34:00");
}

#[test]
fn create_and_update_answers_of_guide_02() {
    let minimal: SmartTransaction = round_trip(&fixture("02-create-minimal-answer.json"));
    assert_eq!(minimal.id, "STX_KJXJDUN542NR3WMRHRVU5WWM6ZQEA2");
    assert!(minimal.transactions.is_empty());
    assert_eq!(
        minimal.device_source.as_ref().and_then(|d| d.id.as_deref()),
        Some("SDV_2YJDXYESB2YBHECVB5GQGSYPNM8UA6")
    );
    assert_eq!(
        minimal
            .customer
            .as_ref()
            .and_then(|c| c.contact.as_ref())
            .and_then(|c| c.dob.as_deref()),
        Some("1901-02-03T00:00:00+01:00")
    );

    let updated: SmartTransaction = round_trip(&fixture("02-update-answer.json"));
    assert_eq!(updated.merchant_ref.as_deref(), Some("customer nr. 123"));
    assert_eq!(updated.transaction_ref.as_deref(), Some("order nr. 123"));
    let basket = updated.basket.as_ref().expect("basket");
    let total: i64 = basket
        .products
        .iter()
        .map(|p| p.quantity * p.price_one)
        .sum();
    assert_eq!(total, 796);
    assert_eq!(updated.basket_info.as_ref().unwrap().sum, total);
    assert_eq!(basket.products[0].article_number.as_deref(), Some("30037"));
    assert_eq!(basket.products[2].ean.as_deref(), Some("4999012345678"));
    assert_eq!(basket.products[0].ean, None);

    let ident = &updated.idents[0];
    assert_eq!(ident.kind, "card");
    assert_eq!(ident.value, "9276004429942845");
    assert_eq!(ident.valid, Some(true));
    let card = ident.merchantcard.as_ref().expect("merchant card");
    assert_eq!(card.cardnumber(), Some("9276004429942845"));
    assert_eq!(card.balance, Some(500));
    assert_eq!(card.cash_balance, Some(500));
    assert_eq!(card.bonus_balance, Some(0));
    assert_eq!(card.stock_status, Some(StockStatus::Active));
    assert_eq!(card.lock_status, Some(LockStatus::Unlocked));
    assert!(!card.needs_passcode());
    assert!(!card.is_locked());
    assert_eq!(card.expiry_date, None);
    assert_eq!(
        card.cardgroup
            .as_ref()
            .and_then(|g| g.display_name.as_deref()),
        Some("Geschenkgutschein")
    );
    let holder = card.customer.as_ref().expect("card holder");
    assert_eq!(holder.consent_for_communication, Some(json!(true)));
    assert_eq!(
        card.last_usage.as_ref().unwrap().at().to_rfc3339(),
        "2020-03-17T07:22:36+01:00"
    );
}

#[test]
fn merchant_card_excerpt_of_guide_02() {
    let card: MerchantCard = round_trip(&fixture("02-merchantcard-excerpt.json"));
    assert_eq!(card.points, Some(12));
    assert_eq!(card.passcode, Some(0));
    assert_eq!(card.balance, Some(500));
}

#[test]
fn load_card_answer_of_guide_03() {
    let stx: SmartTransaction = round_trip(&fixture("03-load-card-answer.json"));
    let product = &stx.basket.as_ref().unwrap().products[0];
    // `articleNumber` is "" here and a number elsewhere: both decode as text.
    assert_eq!(product.article_number.as_deref(), Some(""));
    assert_eq!(product.ean.as_deref(), Some("4260447149502"));
    assert_eq!(product.item_type.as_deref(), Some("article"));
    assert_eq!(product.price_one, 1500);
    assert_eq!(product.sum, None);
    assert_eq!(
        stx.basket.as_ref().unwrap().kind.as_deref(),
        Some("default")
    );
    assert_eq!(stx.basket_info.as_ref().unwrap().gratuity, None);
    assert_eq!(stx.transaction_ref, None);
    assert_eq!(stx.payment_links, None);
    let card = stx.idents[0].merchantcard.as_ref().unwrap();
    assert_eq!(card.customer, None);
    assert_eq!(card.last_usage, None);
}

#[test]
fn card_payment_answer_of_guide_04() {
    let stx: SmartTransaction = round_trip(&fixture("04-start-cashless-answer.json"));
    assert!(stx.status.is_paid());
    assert_eq!(stx.payment_method.as_deref(), Some("cashless"));
    assert_eq!(stx.receipt_number, Some(3));
    assert_eq!(stx.receipt_merchant_print, Some(true));
    assert_eq!(
        stx.device_destination
            .as_ref()
            .and_then(|d| d.id.as_deref()),
        Some("SDV_N3C58PPZA2NUXX67A0ST289A6JEYA2")
    );
    // The customer receipt masks the account, the merchant receipt does not.
    let account = |lines: &[ReceiptLine]| {
        lines
            .iter()
            .find(|l| l.name() == Some("Konto-Nr."))
            .and_then(|l| l.value_text())
            .map(str::to_string)
    };
    assert_eq!(account(&stx.receipt).as_deref(), Some("######3836"));
    assert_eq!(
        account(&stx.receipt_merchant).as_deref(),
        Some("1060093836")
    );
    assert_eq!(stx.receipt[0].line_type(), ReceiptLineType::Separator);
    assert_eq!(stx.receipt[0].caption(), Some("Kartenzahlung"));
    assert_eq!(stx.receipt[4].line_type(), ReceiptLineType::Space);
    let last = stx.receipt.last().unwrap();
    assert_eq!(last.text(), Some("Karte akzeptiert"));
    assert_eq!(last.decoration(), vec!["align-center", "important"]);
    assert_eq!(
        stx.receipt_merchant.last().unwrap().text(),
        Some("Unterschrift umseitig")
    );
    assert_eq!(
        stx.updated.as_ref().unwrap().as_str(),
        "2021-02-25T08:48:11+01:00"
    );
}

#[test]
fn cash_payment_answer_of_guide_05() {
    let stx: SmartTransaction = round_trip(&fixture("05-start-cash-answer.json"));
    assert_eq!(stx.status, TransactionStatus::Ok);
    assert_eq!(stx.payment_method.as_deref(), Some("cash"));
    assert_eq!(stx.trans_id.as_deref(), Some("29008411"));
    assert_eq!(stx.intent, None);
    assert_eq!(
        stx.transactions[0].object.as_deref(),
        Some("loyalty.transactions")
    );
    assert_eq!(
        stx.transactions[0].id.as_deref(),
        Some("LTX_YBYPUETZ2HQXURG9XU0M5H4KGWW0NH")
    );
    assert_eq!(stx.receipt[1].name(), Some("Kartennummer:"));
    assert_eq!(stx.receipt[1].value_text(), Some("9276004429942845"));
}

#[test]
fn request_bodies_of_the_guides() {
    for name in [
        "01-create-request.json",
        "02-create-minimal-request.json",
        "02-update-request.json",
        "02-create-at-once-request.json",
        "03-load-card-request.json",
    ] {
        let draft: TransactionDraft = round_trip(&fixture(name));
        assert!(
            draft.basket_info.is_some() || !draft.idents.is_empty(),
            "{name}"
        );
    }
    let at_once: TransactionDraft = round_trip(&fixture("02-create-at-once-request.json"));
    assert_eq!(at_once.idents, vec![Ident::card("9276004429942845")]);
    assert_eq!(at_once.basket.unwrap().products.len(), 3);
    let minimal: TransactionDraft = round_trip(&fixture("02-create-minimal-request.json"));
    let contact = minimal.customer.unwrap().contact.unwrap();
    assert_eq!(contact.dob.as_deref(), Some("1901-02-03"));
    assert_eq!(contact.mobile.as_deref(), Some("+49 177 5555555"));
}

#[test]
fn receipt_line_sample() {
    let doc: ReceiptDocument = round_trip(&fixture("receipt-lines-sample.json"));
    assert_eq!(doc.header.len(), 1);
    let storno = doc
        .body
        .iter()
        .find(|l| l.text() == Some("STORNO"))
        .unwrap();
    assert_eq!(storno.decoration(), vec!["important", "align-center"]);
}

#[test]
fn unknown_fields_survive_a_read_modify_write() {
    let mut value = fixture("02-update-answer.json");
    value["brand_new_field"] = json!({"nested": [1, 2, 3]});
    value["basket"]["products"][0]["future_flag"] = json!(true);
    value["idents"][0]["merchantcard"]["card"]["account"] = json!({"id": "ACC_1"});
    let mut stx: SmartTransaction = round_trip(&value);

    // Change what the till changes; everything else must stay.
    stx.basket.as_mut().unwrap().products[0].quantity = 2;
    stx.basket_info.as_mut().unwrap().sum = 796 + 349;
    stx.basket.as_mut().unwrap().products[0].ean = Some("4000000000000".into());
    let again = serde_json::to_value(&stx).unwrap();
    let mut want = value.clone();
    want["basket"]["products"][0]["quantity"] = json!(2);
    want["basket"]["products"][0]["ean"] = json!("4000000000000");
    want["basket_info"]["sum"] = json!(1145);
    assert_json_eq(&want, &again, "$");
}

#[test]
fn numbers_that_arrive_as_text_and_text_that_arrives_as_numbers() {
    for raw in [json!({"code": 2003}), json!({"code": "2003"})] {
        let body: ApiErrorBody = round_trip(&raw);
        assert_eq!(body.code.as_deref(), Some("2003"));
    }
    let p: Product =
        round_trip(&json!({"articleNumber": 51, "quantity": 1, "priceOne": 99, "tax": 19}));
    assert_eq!(p.article_number.as_deref(), Some("51"));
    let p: Product =
        round_trip(&json!({"articleNumber": "0051", "quantity": 1, "priceOne": 99, "tax": 19}));
    assert_eq!(p.article_number.as_deref(), Some("0051"));
    let card: Card = round_trip(&json!({"cardnumber": 9276004429942845_u64}));
    assert_eq!(card.cardnumber.as_deref(), Some("9276004429942845"));
    let stx: SmartTransaction =
        round_trip(&json!({"id": "STX_1", "status": "ok", "trans_id": 29008411}));
    assert_eq!(stx.trans_id.as_deref(), Some("29008411"));
}

#[test]
fn nulls_zeros_and_empty_lists_re_encode_as_received() {
    let raw = json!({"id": "STX_1", "status": "created", "idents": [], "customer": null,
                     "receipt_number": 0, "basket": {"products": []}});
    let stx: SmartTransaction = round_trip(&raw);
    assert_eq!(stx.customer, None);
    assert_eq!(stx.receipt_number, Some(0));
    // And nothing appears that was not there.
    let bare: SmartTransaction = round_trip(&json!({"id": "STX_2", "status": "ok"}));
    assert!(bare.receipt.is_empty());
}

#[test]
fn status_is_an_open_set() {
    for s in [
        "created",
        "processing",
        "approved",
        "pending",
        "ok",
        "received",
        "shipped",
        "collection",
        "collected",
        "failed",
        "cancelled",
        "canceled",
        "finished",
        "aborted",
        "timeout",
    ] {
        let status = TransactionStatus::from(s);
        assert!(!matches!(status, TransactionStatus::Other(_)), "{s}");
        assert_eq!(status.as_str(), s);
    }
    let stx: SmartTransaction = round_trip(&json!({"id": "STX_1", "status": "awaiting_signature"}));
    assert_eq!(
        stx.status,
        TransactionStatus::Other("awaiting_signature".into())
    );
    assert!(
        TransactionStatus::Canceled.is_cancelled() && TransactionStatus::Cancelled.is_cancelled()
    );
    assert!(TransactionStatus::Timeout.is_failed() && !TransactionStatus::Ok.is_failed());
    let card: MerchantCard = round_trip(&json!({"stock_status": "lost", "lock_status": "locked"}));
    assert_eq!(card.stock_status, Some(StockStatus::Other("lost".into())));
    assert!(card.is_locked());
}

#[test]
fn timestamps_keep_their_offset_and_text() {
    for text in [
        "2020-09-22T13:53:44+02:00",
        "2018-05-03T10:14:06+00:00",
        "2021-02-25T08:48:11Z",
        "2021-02-25 08:48:11+01:00",
    ] {
        let t: Timestamp = serde_json::from_value(json!(text)).expect(text);
        assert_eq!(serde_json::to_value(&t).unwrap(), json!(text));
    }
    let t = Timestamp::parse("2020-09-22T13:53:44+02:00").unwrap();
    assert_eq!(t.at().offset().local_minus_utc(), 7200);
    assert!(serde_json::from_value::<Timestamp>(json!("yesterday")).is_err());
}

#[test]
fn missing_required_fields_are_an_error_that_names_them() {
    let err = serde_json::from_value::<SmartTransaction>(json!({"status": "ok"})).unwrap_err();
    assert!(err.to_string().contains("SmartTransaction.id"), "{err}");
    let err = serde_json::from_value::<BasketInfo>(json!({"sum": "five"})).unwrap_err();
    assert!(err.to_string().contains("BasketInfo.sum"), "{err}");
}

#[test]
fn oauth_answers_and_error_shapes() {
    let device: DeviceCodeAnswer = round_trip(&json!({
        "device_code": "dc-secret", "user_code": "ABCD-1234",
        "verification_url": "https://connect.secucard.com/device", "expires_in": 1200, "interval": 5
    }));
    assert_eq!(device.interval, 5);
    assert!(!format!("{device:?}").contains("dc-secret"));
    let e: OAuthError =
        round_trip(&json!({"error": "authorization_pending", "error_description": "wait"}));
    assert_eq!(e.error, "authorization_pending");
    let api: ApiErrorBody = round_trip(&json!({
        "status": "error", "error": "ProductNotAllowedException",
        "error_details": "Valid auth token required", "error_user": "Bitte erneut anmelden",
        "code": 2003, "supportId": "abc123", "since": "v2"
    }));
    assert_eq!(api.support_id.as_deref(), Some("abc123"));
    assert_eq!(api.extra.get("since"), Some(&json!("v2")));
}

#[test]
fn loyalty_transaction_and_lists() {
    // Shape of `loyalty.transactions` in the provider's SDK models.
    let ltx: LoyaltyTransaction = round_trip(&json!({
        "object": "loyalty.transactions", "id": "LTX_YBYPUETZ2HQXURG9XU0M5H4KGWW0NH",
        "created": "2020-09-17T09:43:59+02:00",
        "merchant": {"object": "general.merchants", "id": "MRC_35SZ3R5GGQQP4T0U2T5GFAN9P6C4PG"},
        "card": {"object": "loyalty.cards", "id": "CRD_2U7MTNAMM3PMBPAB50C9G2AEHA9GPJ",
                 "cardnumber": "9276004429942845"},
        "status": "ok", "amount": -500, "currency": "EUR", "balance": 0,
        "description": "Zahlung", "trans_id": 29008411, "tid": "72015255",
        "receipt": [{"type": "space"}], "cleared": false
    }));
    assert_eq!(ltx.amount, Some(-500));
    assert_eq!(ltx.trans_id.as_deref(), Some("29008411"));
    assert_eq!(ltx.extra.get("cleared"), Some(&json!(false)));

    let list: MerchantCardList =
        round_trip(&json!({"count": 1, "data": [fixture("02-merchantcard-excerpt.json")]}));
    assert_eq!(list.count, Some(1));
    let stx_list: TransactionList = round_trip(&json!({"count": 2, "data": [
        fixture("01-create-answer.json"), fixture("05-start-cash-answer.json")]}));
    assert_eq!(stx_list.data[1].status, TransactionStatus::Ok);
    let pre: PreTransaction = round_trip(&json!({"missing_sum": 296, "bonus_products": [
        {"id": 4, "desc": "Guthaben", "ean": "4260447149533", "quantity": 1, "priceOne": -500, "tax": 0}]}));
    assert_eq!(pre.missing_sum, Some(296));
    assert_eq!(pre.bonus_products[0].price_one, -500);
    let validation: CardValidation =
        round_trip(&json!({"isValid": true, "hasPasscode": false, "isLocked": false}));
    assert_eq!(validation.is_valid, Some(true));
}
