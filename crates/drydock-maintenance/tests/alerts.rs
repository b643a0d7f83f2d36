//! Alerts sent to a real HTTP receiver on loopback, with their state kept in real PostgreSQL
//! and SQLite stores: a condition is announced once while it lasts, once more when it clears,
//! again after `repeat`; a receiver that fails is retried, and a message it never took is sent
//! by the next run; two runs that see the same condition at once announce it once.

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use drydock_connector::{AlertStore, Dialect};
use drydock_maintenance::alerts::{
    AlertContext, AlertOutcome, AlertSettings, Webhook, WebhookFormat, evaluate,
};
use drydock_maintenance::{Finding, ObjectRef, Severity};
use drydock_tasks::Event;
use drydock_test_support::TestDb;
use drydock_test_support::webhook::Receiver;
use serde_json::Value;

fn finding(code: &str, severity: Severity, table: &str) -> Finding {
    Finding {
        code: code.to_owned(),
        severity,
        title: format!("{code} on {table}"),
        objects: vec![ObjectRef {
            kind: "table".to_owned(),
            name: table.to_owned(),
        }],
        detail: Some("95% of the sequence used".to_owned()),
        fix: Some("ALTER TABLE ... TYPE bigint".to_owned()),
    }
}

fn settings(receiver: &Receiver, format: WebhookFormat) -> AlertSettings {
    let mut webhook = Webhook::new(receiver.url.clone(), format);
    webhook.backoff = Duration::from_millis(10);
    AlertSettings {
        webhooks: vec![webhook],
        ..AlertSettings::default()
    }
}

fn run(
    store: &mut dyn AlertStore,
    settings: &AlertSettings,
    findings: &[Finding],
    now: DateTime<Utc>,
) -> (AlertOutcome, Vec<Event>) {
    let events = Mutex::new(Vec::new());
    let collect = |event: Event| events.lock().unwrap().push(event);
    let context = AlertContext {
        source: "check",
        database: "postgresql://app:***@db/app",
        now,
        codes: None,
    };
    let outcome = evaluate(findings, settings, store, context, &collect).expect("evaluate");
    (outcome, events.into_inner().unwrap())
}

fn states(messages: &[(String, Value)]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|(_, body)| {
            (
                body["state"].as_str().unwrap_or_default().to_owned(),
                body["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn lifecycle(store: &mut dyn AlertStore) {
    let receiver = Receiver::start();
    let settings = settings(&receiver, WebhookFormat::Json);
    let start = Utc::now();
    let seq = finding("D6003", Severity::Warning, "public.orders");
    let info = finding("D6009", Severity::Info, "public.users");

    // Found: announced once; an info finding stays below the minimum severity.
    let (outcome, events) = run(store, &settings, &[seq.clone(), info.clone()], start);
    assert_eq!(outcome.fired.len(), 1, "{outcome:?}");
    let messages = receiver.take();
    assert_eq!(states(&messages), [("firing".into(), "D6003".into())]);
    assert_eq!(messages[0].0, "/hooks/T000/secret-token");
    assert_eq!(messages[0].1["objects"][0]["name"], "public.orders");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Log { line, .. } if line.contains("D6003 firing")))
    );

    // Still there, twice: nothing sent.
    for minutes in [1, 2] {
        let (outcome, _) = run(
            store,
            &settings,
            std::slice::from_ref(&seq),
            start + TimeDelta::minutes(minutes),
        );
        assert_eq!(outcome.unchanged, 1, "{outcome:?}");
        assert!(receiver.take().is_empty(), "a lasting alert was sent again");
    }

    // Cleared: one resolved message, then nothing.
    let (outcome, _) = run(store, &settings, &[], start + TimeDelta::minutes(3));
    assert_eq!(outcome.resolved.len(), 1);
    let messages = receiver.take();
    assert_eq!(states(&messages), [("resolved".into(), "D6003".into())]);
    assert_eq!(
        messages[0].1["since"],
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let (outcome, _) = run(store, &settings, &[], start + TimeDelta::minutes(4));
    assert_eq!(outcome, AlertOutcome::default());
    assert!(receiver.take().is_empty());
    assert!(store.alerts("check").expect("alerts").is_empty());

    // A receiver that fails twice then takes it: delivered within one run's retries.
    receiver.answer(&[500, 503]);
    let (outcome, _) = run(
        store,
        &settings,
        std::slice::from_ref(&seq),
        start + TimeDelta::minutes(5),
    );
    assert_eq!(outcome.fired.len(), 1, "{outcome:?}");
    assert_eq!(
        states(&receiver.take()),
        [("firing".into(), "D6003".into())]
    );

    // A receiver down for a whole run: the clearing is said by the next run, once.
    receiver.answer(&[500, 500, 500]);
    let (outcome, events) = run(store, &settings, &[], start + TimeDelta::minutes(6));
    assert!(
        outcome.resolved.is_empty() && outcome.failures.len() == 1,
        "{outcome:?}"
    );
    let warning = outcome.failures[0].clone();
    assert!(
        warning.contains("HTTP 500") && warning.contains("after 3 tries"),
        "{warning}"
    );
    assert!(
        !warning.contains("secret-token"),
        "the webhook's token was shown: {warning}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Log { line, .. } if *line == warning))
    );
    let (outcome, _) = run(store, &settings, &[], start + TimeDelta::minutes(7));
    assert_eq!(outcome.resolved.len(), 1, "{outcome:?}");
    assert_eq!(
        states(&receiver.take()),
        [("resolved".into(), "D6003".into())]
    );

    // `repeat`: a lasting alert is sent again once the interval passed.
    let repeating = AlertSettings {
        repeat: Some(Duration::from_secs(3600)),
        ..settings.clone()
    };
    run(
        store,
        &repeating,
        std::slice::from_ref(&seq),
        start + TimeDelta::minutes(10),
    );
    run(
        store,
        &repeating,
        std::slice::from_ref(&seq),
        start + TimeDelta::minutes(30),
    );
    let (outcome, _) = run(
        store,
        &repeating,
        std::slice::from_ref(&seq),
        start + TimeDelta::minutes(71),
    );
    assert_eq!(outcome.repeated.len(), 1, "{outcome:?}");
    assert_eq!(
        states(&receiver.take()),
        [
            ("firing".into(), "D6003".into()),
            ("firing".into(), "D6003".into())
        ]
    );
    run(store, &repeating, &[], start + TimeDelta::minutes(72));
    receiver.take();
}

#[test]
fn alerts_fire_once_resolve_once_and_retry_on_postgres() {
    let db = TestDb::postgres();
    let mut store = drydock_postgres::PostgresDialect
        .open_alert_store(db.url())
        .expect("store");
    lifecycle(store.as_mut());
}

#[test]
fn alerts_fire_once_resolve_once_and_retry_on_sqlite() {
    let db = TestDb::sqlite();
    let mut store = drydock_sqlite::SqliteDialect
        .open_alert_store(db.url())
        .expect("store");
    lifecycle(store.as_mut());
}

#[test]
fn alerts_fire_once_resolve_once_and_retry_on_mariadb() {
    let db = TestDb::mysql();
    let mut store = drydock_mysql::MysqlAlertStore::open(db.url()).expect("open alert store");
    lifecycle(&mut store);
}

#[test]
fn two_sessions_open_and_clear_an_alert_once() {
    let db = TestDb::postgres();
    let now = Utc::now();
    let mut first = drydock_postgres::PostgresDialect
        .open_alert_store(db.url())
        .expect("store");
    let mut second = drydock_postgres::PostgresDialect
        .open_alert_store(db.url())
        .expect("store");
    let alert = drydock_connector::StoredAlert {
        key: "check|D6003|table public.orders".to_owned(),
        source: "check".to_owned(),
        code: "D6003".to_owned(),
        severity: "warning".to_owned(),
        title: "t".to_owned(),
        body: "{}".to_owned(),
        opened_at: now,
        notified_at: None,
        resolved_at: None,
    };
    // Two runs that both read no alert: only one opens it, so only one announces it.
    assert!(first.alerts("check").expect("alerts").is_empty());
    assert!(second.alerts("check").expect("alerts").is_empty());
    assert!(first.open(&alert).expect("open"));
    assert!(!second.open(&alert).expect("open"));
    // And only one clears it.
    assert!(second.resolve(&alert.key, now).expect("resolve"));
    assert!(!first.resolve(&alert.key, now).expect("resolve"));
    // A run that finds it again while it is clearing keeps it open, as it was.
    let receiver = Receiver::start();
    let settings = settings(&receiver, WebhookFormat::Json);
    first.notified(&alert.key, now).expect("notified");
    let seq = finding("D6003", Severity::Warning, "public.orders");
    let (outcome, _) = run(first.as_mut(), &settings, &[seq], now);
    assert_eq!(outcome.unchanged, 1, "{outcome:?}");
    assert!(receiver.take().is_empty());
    let open = second.alerts("check").expect("alerts");
    assert!(open.len() == 1 && open[0].resolved_at.is_none(), "{open:?}");
}

#[test]
fn slack_and_teams_receivers_get_their_own_shapes() {
    let db = TestDb::sqlite();
    let mut store = drydock_sqlite::SqliteDialect
        .open_alert_store(db.url())
        .expect("store");
    let receiver = Receiver::start();
    let mut settings = settings(&receiver, WebhookFormat::Slack);
    let mut teams = Webhook::new(receiver.url.clone(), WebhookFormat::Teams);
    teams.min_severity = Some(Severity::Error);
    settings.webhooks.push(teams);
    let warning = finding("D6003", Severity::Warning, "public.orders");
    let error = finding("D6001", Severity::Error, "public.items");
    run(store.as_mut(), &settings, &[warning, error], Utc::now());
    let messages = receiver.take();
    // Slack gets both, Teams only the error.
    assert_eq!(messages.len(), 3, "{messages:?}");
    let slack: Vec<&Value> = messages
        .iter()
        .map(|(_, b)| b)
        .filter(|b| b.get("blocks").is_some())
        .collect();
    assert_eq!(slack.len(), 2);
    let text = slack[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("[FIRING] error D6001 on postgresql://app:***@db/app"),
        "{text}"
    );
    assert_eq!(slack[0]["blocks"][0]["text"]["type"], "mrkdwn");
    let card = messages
        .iter()
        .map(|(_, b)| b)
        .find(|b| b["type"] == "message")
        .expect("a Teams message");
    let content = &card["attachments"][0]["content"];
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(content["type"], "AdaptiveCard");
    assert!(
        content["body"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("D6001")
    );
}

#[test]
fn a_receiver_that_is_not_there_fails_after_bounded_tries_without_showing_its_url() {
    let db = TestDb::sqlite();
    let mut store = drydock_sqlite::SqliteDialect
        .open_alert_store(db.url())
        .expect("store");
    // A port nothing listens on: bound and closed again.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut webhook = Webhook::new(
        format!("http://127.0.0.1:{port}/hooks/secret-token"),
        WebhookFormat::Json,
    );
    webhook.backoff = Duration::from_millis(10);
    let settings = AlertSettings {
        webhooks: vec![webhook],
        ..AlertSettings::default()
    };
    let (outcome, _) = run(
        store.as_mut(),
        &settings,
        &[finding("D6003", Severity::Error, "t")],
        Utc::now(),
    );
    assert!(outcome.fired.is_empty());
    assert_eq!(outcome.failures.len(), 1);
    assert!(
        !outcome.failures[0].contains("secret-token"),
        "{:?}",
        outcome.failures
    );
    assert!(
        outcome.failures[0].contains("json webhook at http://127.0.0.1:"),
        "{:?}",
        outcome.failures
    );
    // Still open and not announced: the next run tries again.
    let open = store.alerts("check").expect("alerts");
    assert_eq!(open.len(), 1);
    assert!(open[0].notified_at.is_none());
}

#[test]
fn a_run_that_looked_for_other_codes_clears_no_alert() {
    let db = TestDb::sqlite();
    let mut store = drydock_sqlite::SqliteDialect
        .open_alert_store(db.url())
        .expect("store");
    let receiver = Receiver::start();
    let settings = settings(&receiver, WebhookFormat::Json);
    let now = Utc::now();
    let seq = finding("D6003", Severity::Warning, "public.orders");
    run(store.as_mut(), &settings, std::slice::from_ref(&seq), now);
    assert_eq!(receiver.take().len(), 1);
    // `check --only D6101` found nothing: the D6003 alert is not its to clear.
    let only = vec!["D6101".to_owned()];
    let context = AlertContext {
        source: "check",
        database: "db",
        now,
        codes: Some(&only),
    };
    let quiet = |_: Event| {};
    let outcome = evaluate(&[], &settings, store.as_mut(), context, &quiet).expect("evaluate");
    assert!(outcome.resolved.is_empty(), "{outcome:?}");
    assert!(receiver.take().is_empty());
    assert_eq!(store.alerts("check").expect("alerts").len(), 1);
    // A run that looked for everything and found nothing clears it.
    let (outcome, _) = run(store.as_mut(), &settings, &[], now);
    assert_eq!(outcome.resolved.len(), 1);
}
