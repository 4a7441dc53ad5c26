//! Issue 29: an admin sets up a Slack channel and an email channel in the browser, sees the
//! receiver's answer to a test message, adds a rule, and is told once (in Slack and by mail)
//! when the demo's DR array passes 85 % and once more when space is freed; the page lists the
//! messages as delivered; a silence keeps the rule quiet until it is ended. A held change is mailed to the second admin who asked for such
//! mail, and its decision to the admin who asked for it. The weekly capacity and protection
//! report goes out by mail with its CSV, and downloads from the Fleet page.

use shared::api::{Action, PersonalTopic, Role};
use test_support::smtp_receiver::SmtpReceiver;

use crate::approvals::{ask_to_eradicate, destroyed_volume};
use crate::support::{Session, array_client, volume_on};
use test_support::webhook_receiver::WebhookReceiver;

const DR: &str = "fa-dr-01";

/// Makes the DR array `share` full, as removing drives would: what the rule watches.
fn fill(session: &Session, share: f64) {
    let dr = &session.demo().arrays[1].simulator;
    dr.set_capacity((dr.used_bytes() as f64 / share) as u64);
}

async fn smtp_receiver() -> SmtpReceiver {
    SmtpReceiver::start(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-e2e"))
        .await
}

/// Adds, on the Notifications page, an email channel `name` sending through `smtp` (plain
/// SMTP: it runs on this machine).
async fn add_mail_channel(session: &Session, name: &str, smtp: &SmtpReceiver) {
    fill_mail_channel(session, name, "127.0.0.1", smtp).await;
    session.click("#channel-create").await;
    session
        .text_containing("#channel-create-outcome", &format!("Added {name}"))
        .await;
}

/// Fills in an email channel `name` sending through `smtp`'s port on `host` by plain SMTP.
async fn fill_mail_channel(session: &Session, name: &str, host: &str, smtp: &SmtpReceiver) {
    session.fill("#channel-name", name).await;
    session.choose("#channel-kind", "email").await;
    session.fill("#channel-smtp-host", host).await;
    session
        .fill("#channel-smtp-port", &smtp.port.to_string())
        .await;
    session.choose("#channel-smtp-security", "none").await;
    session
        .fill("#channel-mail-from", "flashdeck@example.com")
        .await;
    session
        .fill("#channel-mail-to", "storage-oncall@example.com")
        .await;
}

/// Gives, on the Requests page, the signed-in person's `email` and ticks `topic`.
async fn ask_for_mail(session: &Session, email: &str, topic: PersonalTopic) {
    session.click("#requests-link").await;
    session.click("#mail-for-you summary").await;
    session
        .click(&format!("#my-mail input[data-topic='{}']", topic.as_str()))
        .await;
    session.click("#my-mail-save").await;
    session
        .text_containing("#my-email-error", "Give the address")
        .await;
    session.fill("#my-email", email).await;
    session.click("#my-mail-save").await;
    session
        .text_containing("#my-mail-outcome", "you get mail about your requests")
        .await;
}

#[tokio::test]
async fn a_request_for_approval_reaches_the_second_admin_by_mail_and_the_decision_the_first() {
    let session = Session::with_approvals(&[Action::VolumeEradicate]).await;
    destroyed_volume(&session, "old-reports").await;
    session
        .demo()
        .add_user("second-admin", "a test password", Role::Admin)
        .await
        .expect("second admin");
    let smtp = smtp_receiver().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.click("#notifications-link").await;
    session
        .text_containing("#personal-mail", "Add an email channel")
        .await;
    add_mail_channel(&session, "portal mail", &smtp).await;
    session.choose("#personal-mail-channel", "1").await;
    session.click("#personal-mail-save").await;
    session
        .text_containing(
            "#personal-mail-outcome",
            "now get mail about their requests",
        )
        .await;
    ask_for_mail(
        &session,
        "admin@example.com",
        PersonalTopic::ApprovalDecided,
    )
    .await;

    session.sign_out().await;
    session.sign_in("second-admin", "a test password").await;
    ask_for_mail(
        &session,
        "second-admin@example.com",
        PersonalTopic::ApprovalWaiting,
    )
    .await;
    session.assert_accessible("requests-mail").await;
    session.sign_out().await;

    session.sign_in_as_demo_admin().await;
    ask_to_eradicate(&session, "old-reports", "CHG-88: reports moved to the lake").await;
    let mails = smtp.wait_for(1).await;
    let waiting = &mails[0];
    assert!(
        waiting.contains("X-RcptTo: second-admin@example.com"),
        "{waiting}"
    );
    assert!(
        waiting.contains("admin (admin) asks for volume.eradicate")
            && waiting.contains("CHG-88: reports moved to the lake"),
        "{waiting}"
    );

    session.sign_out().await;
    session.sign_in("second-admin", "a test password").await;
    session.click("#requests-link").await;
    session.click("#waiting li .approve").await;
    session
        .text_containing("#request-outcome", "done (approved by second-admin)")
        .await;
    assert!(
        volume_on(&session.demo().arrays[0], "old-reports")
            .await
            .is_none(),
        "eradicated on the array"
    );
    let mails = smtp.wait_for(2).await;
    let decided = &mails[1];
    assert!(decided.contains("X-RcptTo: admin@example.com"), "{decided}");
    assert!(
        decided.contains("second-admin approved volume.eradicate"),
        "{decided}"
    );
    session.finish().await;
}

#[tokio::test]
async fn an_admin_hears_once_when_the_dr_array_passes_85_percent_and_once_when_it_is_freed() {
    let receiver = WebhookReceiver::start().await;
    let session = Session::with_pure1(false).await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.click("#notifications-link").await;
    session.text_containing("#channels", "No channels").await;

    session.click("#channel-create").await;
    session
        .text_containing("#channel-name-error", "Give it a name")
        .await;
    session.fill("#channel-name", "storage on-call").await;
    session.choose("#channel-kind", "slack").await;
    session
        .fill("#channel-url", "http://hooks.example.com/services/T0/B0/x")
        .await;
    session.click("#channel-create").await;
    session
        .text_containing("#channel-url-error", "Use https://")
        .await;
    session
        .fill("#channel-url", &format!("{}/hook", receiver.base))
        .await;
    session.click("#channel-create").await;
    session
        .text_containing("#channel-create-outcome", "Added storage on-call")
        .await;
    session
        .text_containing(
            "#channels tr[data-channel='storage on-call'] .host",
            "127.0.0.1",
        )
        .await;
    session
        .click("#channels tr[data-channel='storage on-call'] .send-test")
        .await;
    session
        .text_containing(
            "#channel-outcome",
            "took the test message: it answered 200 \"ok\"",
        )
        .await;
    let test = receiver.wait_for(1).await;
    assert!(
        test[0].1["text"]
            .as_str()
            .unwrap_or_default()
            .contains("a test message sent by admin"),
        "{:?}",
        test[0].1
    );

    let smtp = smtp_receiver().await;
    fill_mail_channel(&session, "on-call mail", "smtp.example.com", &smtp).await;
    session.click("#channel-create").await;
    session
        .text_containing("#channel-smtp-security-error", "Use TLS or STARTTLS")
        .await;
    add_mail_channel(&session, "on-call mail", &smtp).await;

    session.fill("#rule-name", "DR nearly full").await;
    session.fill("#rule-percent", "85").await;
    session.click(&format!("#rule-arrays-{DR}")).await;
    for channel in ["storage on-call", "on-call mail"] {
        session
            .click(&format!("#rule-channels input[data-channel='{channel}']"))
            .await;
    }
    session.choose("#rule-repeat", "4").await;
    session.choose("#rule-quiet-from", "3").await;
    session.choose("#rule-quiet-until", "3").await;
    session.click("#rule-create").await;
    session
        .text_containing("#rule-quiet-error", "Two different hours")
        .await;
    session.choose("#rule-quiet-from", "").await;
    session.click("#rule-create").await;
    session
        .text_containing("#rule-create-outcome", "Added DR nearly full")
        .await;
    session
        .text_containing(
            "#rules tr[data-rule='DR nearly full'] .timing",
            "again every 4 h",
        )
        .await;
    session
        .text_containing(
            "#rules tr[data-rule='DR nearly full'] .condition",
            "more than 85 % full",
        )
        .await;
    session.assert_accessible("notifications").await;

    // At 84 % the demo's DR array is below the rule: a few watches pass without a message.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(receiver.received().len(), 1, "nothing before the threshold");

    fill(&session, 0.875);
    let messages = receiver.wait_for(2).await;
    let raised = messages[1].1["text"].as_str().unwrap_or_default();
    assert!(
        raised.starts_with("fa-dr-01: 87 % full (more than 85 % full)"),
        "{raised}"
    );
    let mails = smtp.wait_for(1).await;
    assert!(
        mails[0].contains("Subject: [Flashdeck] fa-dr-01: 87 % full"),
        "{}",
        mails[0]
    );
    session
        .refreshed_until(
            &format!("#deliveries tr[data-array='{DR}'][data-state='delivered'] .summary"),
            "87 % full",
        )
        .await;

    fill(&session, 0.6);
    let messages = receiver.wait_for(3).await;
    let resolved = messages[2].1["text"].as_str().unwrap_or_default();
    assert!(
        resolved.starts_with("Resolved on fa-dr-01: 60 % full"),
        "{resolved}"
    );
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(receiver.received().len(), 3, "each told once");
    session
        .refreshed_until("#deliveries tr[data-state='delivered'] .event", "resolved")
        .await;

    // Drives are being replaced: a month's silence on the DR array, then ended early.
    session.click("#silence-create").await;
    session
        .text_containing("#silence-rule-error", "Choose the rule")
        .await;
    session.choose("#silence-rule", "1").await;
    session.choose("#silence-array", DR).await;
    session.choose("#silence-hours", "720").await;
    session.click("#silence-create").await;
    session
        .text_containing("#silence-reason-error", "Say why")
        .await;
    session
        .fill("#silence-reason", "CHG-12: drives being replaced")
        .await;
    session.click("#silence-create").await;
    session
        .text_containing(
            "#silence-create-outcome",
            "DR nearly full is silenced on fa-dr-01",
        )
        .await;
    session
        .text_containing("#silences tr[data-rule='DR nearly full'] .reason", "CHG-12")
        .await;
    fill(&session, 0.875);
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert_eq!(receiver.received().len(), 3, "silenced");
    session
        .click("#silences tr[data-rule='DR nearly full'] .end")
        .await;
    session
        .text_containing("#silence-outcome", "speaks again")
        .await;
    let messages = receiver.wait_for(4).await;
    let told = messages[3].1["text"].as_str().unwrap_or_default();
    assert!(told.starts_with("fa-dr-01: 87 % full"), "{told}");
    session.screenshot("notifications").await;
    session.finish().await;
}

#[tokio::test]
async fn an_admin_hears_that_the_dr_array_will_be_full_within_two_weeks() {
    let receiver = WebhookReceiver::start().await;
    let session = Session::with_pure1(false).await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.click("#notifications-link").await;
    session.fill("#channel-name", "storage on-call").await;
    session.choose("#channel-kind", "slack").await;
    session
        .fill("#channel-url", &format!("{}/hook", receiver.base))
        .await;
    session.click("#channel-create").await;
    session
        .text_containing("#channel-create-outcome", "Added storage on-call")
        .await;
    session.fill("#rule-name", "DR full soon").await;
    session.choose("#rule-condition", "full_within").await;
    session.fill("#rule-days", "0").await;
    session.click(&format!("#rule-arrays-{DR}")).await;
    session
        .click("#rule-channels input[data-channel='storage on-call']")
        .await;
    session.click("#rule-create").await;
    session
        .text_containing("#rule-days-error", "Between 1 and 365")
        .await;
    session.fill("#rule-days", "14").await;
    session.click("#rule-create").await;
    session
        .text_containing(
            "#rules tr[data-rule='DR full soon'] .condition",
            "full within 14 days",
        )
        .await;
    let told = receiver.wait_for(1).await;
    let text = told[0].1["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("fa-dr-01: full in about "), "{text}");
    session
        .refreshed_until(
            &format!("#deliveries tr[data-array='{DR}'][data-state='delivered'] .summary"),
            "full in about",
        )
        .await;
    session.finish().await;
}

#[tokio::test]
async fn the_weekly_report_is_mailed_with_its_csv_and_downloads_from_the_fleet_page() {
    let smtp = smtp_receiver().await;
    let session = Session::start().await;
    array_client(&session.demo().arrays[0])
        .create_volume("report-scratch", 1_073_741_824)
        .await
        .expect("an unprotected volume");
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    let csv = session.fetch_text("/api/reports/fleet.csv").await;
    assert!(csv.starts_with("200\nsection,array,name"), "{csv}");
    assert!(
        csv.contains("unprotected_volume,fa-prod-01,report-scratch,1073741824"),
        "{csv}"
    );
    let link = session
        .element("#fleet-report a[href='/api/reports/fleet.csv']")
        .await;
    assert_eq!(link.text().await.expect("text"), "CSV");

    session.click("#notifications-link").await;
    add_mail_channel(&session, "team mail", &smtp).await;
    session.choose("#report-channel", "1").await;
    session.choose("#report-weekday", "1").await;
    session.choose("#report-hour", "8").await;
    session.click("#report-save").await;
    session
        .text_containing("#report-outcome", "the report goes out weekly")
        .await;
    session.text_containing("#report-next", "Next: ").await;
    session.click("#report-send").await;
    session
        .text_containing("#report-send-outcome", "Sent")
        .await;
    let mails = smtp.wait_for(1).await;
    assert!(
        mails[0].contains("Subject: [Flashdeck] Capacity and protection report of 4 arrays"),
        "{}",
        mails[0]
    );
    let attached =
        test_support::smtp_receiver::attachment(&mails[0], "flashdeck-capacity-and-protection.csv");
    assert!(
        attached.contains("unprotected_volume,fa-prod-01,report-scratch,1073741824"),
        "{attached}"
    );
    for array in ["fa-dr-01", "fa-branch-01", "fa-lab-01"] {
        assert!(
            attached.contains(&format!("\narray,{array},{array},")),
            "{attached}"
        );
    }
    session
        .refreshed_until(
            "#deliveries tr[data-state='delivered']",
            "Capacity and protection report",
        )
        .await;
    session.finish().await;
}
