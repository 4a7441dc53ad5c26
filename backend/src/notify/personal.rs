//! Mail to people about themselves: a held change goes to everyone who may decide it and
//! asked to be told, and its decision to its requester (a rule's messages about the arrays in
//! a person's scope go to those who asked for them from the watch, `mod.rs`). The mail is written in the
//! transaction that records the request or decision (the caller hands the announcement to
//! the database), through the email channel an admin chose, to each person's own address.

use shared::api::{ApprovalRequest, ApprovalState, PersonalTopic};

use super::{Notifier, send::readable};
use crate::approvals::may_decide;
use crate::db::{Announcement, DbError, NewApproval};

impl Notifier {
    /// The mail telling those who may decide `approval` that it waits (its title is set
    /// once the request has its number); `None` when nobody is to be told.
    pub async fn approval_waiting(
        &self,
        approval: &NewApproval,
    ) -> Result<Option<Announcement>, DbError> {
        let Some(channel) = self.personal_channel().await? else {
            return Ok(None);
        };
        let recipients: Vec<String> = self
            .db
            .subscribers(PersonalTopic::ApprovalWaiting)
            .await?
            .into_iter()
            .filter(|(user, _)| {
                may_decide(
                    user,
                    &approval.requester,
                    approval.requester_role,
                    approval.array.as_deref(),
                )
            })
            .map(|(_, email)| email)
            .collect();
        let on = approval
            .array
            .as_deref()
            .map(|arrays| format!(" on {arrays}"))
            .unwrap_or_default();
        // The requester's own words go on a line of their own, quoted, never in a subject.
        let reason = match readable(&approval.reason) {
            reason if reason.is_empty() => String::new(),
            reason => format!("\nTheir reason: \"{reason}\""),
        };
        let summary = format!(
            "{} ({}) asks for {} {}{on}.{reason}\nIt waits for a second person until {}.",
            approval.requester,
            approval.requester_role.as_str(),
            approval.action,
            target_words(&approval.target),
            shared::time::format_rfc3339_ms(approval.expires_at_ms),
        );
        Ok(Some(Announcement {
            topic: PersonalTopic::ApprovalWaiting,
            title: "Request".to_owned(),
            array: approval.array.clone().unwrap_or_default(),
            summary,
            channel,
            recipients,
        }))
    }

    /// The mail telling `request`'s requester that `decided_by` decided it, and how it ran:
    /// `to` is `Rejected`, `Executed` or `Failed` (with the change's error message),
    /// `Scheduled` (with when its window is) or `Cancelled` (by `decided_by`).
    pub async fn approval_decided(
        &self,
        request: &ApprovalRequest,
        requester_id: i64,
        decided_by: &str,
        to: ApprovalState,
        detail: Option<&str>,
    ) -> Result<Option<Announcement>, DbError> {
        let Some(channel) = self.personal_channel().await? else {
            return Ok(None);
        };
        let recipients = self
            .db
            .subscribers(PersonalTopic::ApprovalDecided)
            .await?
            .into_iter()
            .filter(|(user, _)| user.id == requester_id)
            .map(|(_, email)| email)
            .collect();
        let what = format!("{} {}", request.action, target_words(&request.target));
        // The decider's comment and the array's answer are quoted on a line of their own.
        let detail = detail.map(readable).filter(|detail| !detail.is_empty());
        let summary = match (to, detail) {
            (ApprovalState::Rejected, Some(comment)) => {
                format!("{decided_by} rejected {what}. Nothing ran.\nTheir comment: \"{comment}\"")
            }
            (ApprovalState::Rejected, None) => {
                format!("{decided_by} rejected {what}. Nothing ran.")
            }
            (ApprovalState::Failed, detail) => format!(
                "{decided_by} approved {what}, but it failed.\nThe answer: \"{}\"",
                detail.as_deref().unwrap_or("no message")
            ),
            (ApprovalState::Scheduled, window) => format!(
                "{decided_by} approved {what} to run in a maintenance window{}.",
                window
                    .map(|window| format!(" {window}"))
                    .unwrap_or_default()
            ),
            (ApprovalState::Cancelled, _) => {
                format!("{decided_by} cancelled {what} before its maintenance window. Nothing ran.")
            }
            _ => format!("{decided_by} approved {what}, and it ran."),
        };
        Ok(Some(Announcement {
            topic: PersonalTopic::ApprovalDecided,
            title: format!("Request #{}", request.id),
            array: request.array.clone().unwrap_or_default(),
            summary,
            channel,
            recipients,
        }))
    }

    pub(super) async fn personal_channel(&self) -> Result<Option<(i64, String)>, DbError> {
        let Some(id) = self.db.personal_mail_channel_id().await? else {
            return Ok(None);
        };
        Ok(self
            .db
            .channel(id)
            .await?
            .map(|stored| (id, stored.channel.name)))
    }
}

/// What a change is about, as the audit log names it, cut short for a subject line.
fn target_words(target: &str) -> String {
    let words = readable(target);
    match words.char_indices().nth(100) {
        Some((end, _)) => format!("{}…", &words[..end]),
        None => words,
    }
}
