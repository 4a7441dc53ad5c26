//! `/api/notifications`: channels (addresses sealed, never shown back), rules, a test
//! message per channel, and what was sent, for admins of every array; and each person's
//! own mail (`mine`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{
    ApiError, Channel, ChannelKind, ChannelTestResult, CreatedChannel, Delivery, MAX_CHANNELS,
    MAX_RULES, MAX_SILENCES, MyNotifications, MyNotificationsChange, NewChannel, NewRule,
    NewSilence, PersonalMail, ReportSettings, Rule, Silence, url_host, validate_my_notifications,
    validate_new_channel, validate_new_rule, validate_new_silence, validate_report_schedule,
};

use super::extract::ApiJson;
use crate::clock::{unix_now, unix_now_ms};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::notify::send::Message;
use crate::notify::{Notifier, NotifyError, sealing_owner};
use crate::state::AppState;

/// Deliveries one page lists.
const DELIVERIES_LISTED: i64 = 200;

impl From<NotifyError> for AppError {
    fn from(error: NotifyError) -> Self {
        match error {
            NotifyError::Db(error) => AppError::Database(error),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Channels and rules are the whole portal's, and deliveries name every array: an admin of
/// every array keeps them.
fn fleet_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.user.scope_covers(None) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Notifications are kept by admins of every array.".into(),
        ))
    }
}

fn notifier(state: &AppState) -> Result<&Notifier, AppError> {
    state
        .notifier
        .as_ref()
        .ok_or_else(|| AppError::Conflict("Notifications are not running on this portal.".into()))
}

/// `GET /api/notifications/channels`
pub async fn channels(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Channel>>, AppError> {
    fleet_admin(&user)?;
    let stored = state.db.channels().await?;
    Ok(Json(
        stored.into_iter().map(|stored| stored.channel).collect(),
    ))
}

/// `POST /api/notifications/channels`: the address (and a webhook's signing secret) sealed
/// with the portal's secret key; a webhook's secret is shown this once.
pub async fn create_channel(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<NewChannel>,
) -> Result<(StatusCode, Json<CreatedChannel>), AppError> {
    fleet_admin(&user)?;
    validate_new_channel(&request).map_err(AppError::Invalid)?;
    let Some(key) = &state.secret_key else {
        return Err(AppError::Conflict(
            "The portal has no secret key to seal the address with (FLASHDECK_SECRET_KEY or secret_key_file).".into(),
        ));
    };
    if state.db.channels().await?.len() >= MAX_CHANNELS {
        return Err(AppError::Invalid(ApiError::for_field(
            "name",
            format!("The portal holds {MAX_CHANNELS} channels already; delete one first."),
        )));
    }
    let name = request.name.trim().to_owned();
    // What is sealed: a webhook's address, or an email channel's whole settings (its
    // password among them).
    let (receiver, host) = match &request.email {
        Some(email) => (
            serde_json::to_string(email).map_err(|error| AppError::Internal(error.to_string()))?,
            email.smtp_host.trim().to_owned(),
        ),
        None => {
            let url = request.webhook_url.trim();
            (url.to_owned(), url_host(url).unwrap_or_default().to_owned())
        }
    };
    let signing_secret = match (request.kind, request.signing_secret) {
        (ChannelKind::Webhook, Some(secret)) => Some(secret),
        (ChannelKind::Webhook, None) => Some(
            crate::arrays::secrets::SecretKey::generate_hex()
                .map_err(|error| AppError::Internal(error.to_string()))?,
        ),
        _ => None,
    };
    let owner = sealing_owner(&name);
    let seal = |text: &str| {
        key.seal(text, &owner)
            .map_err(|error| AppError::Internal(error.to_string()))
    };
    let sealed_receiver = seal(&receiver)?;
    let sealed_secret = signing_secret.as_deref().map(seal).transpose()?;
    let mut channel = Channel {
        id: 0,
        name,
        kind: request.kind,
        host,
        created_by: user.user.username.clone(),
        created_at: unix_now(),
    };
    let Some(id) = state
        .db
        .create_channel(&channel, &sealed_receiver, sealed_secret.as_deref())
        .await?
    else {
        return Err(AppError::Invalid(ApiError::for_field(
            "name",
            format!("A channel named {:?} exists already.", channel.name),
        )));
    };
    channel.id = id;
    Ok((
        StatusCode::CREATED,
        Json(CreatedChannel {
            channel,
            signing_secret,
        }),
    ))
}

/// `DELETE /api/notifications/channels/{id}`
pub async fn delete_channel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    fleet_admin(&user)?;
    if state.db.channel(id).await?.is_none() {
        return Err(AppError::NotFound(format!("There is no channel {id}.")));
    }
    if !state.db.delete_channel(id).await? {
        return Err(AppError::Conflict(
            "A rule, or mail to people, still goes through this channel: delete the rule or choose another channel for people first.".into(),
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/notifications/channels/{id}/test`: sends a test message now and gives what the
/// receiver answered.
pub async fn test_channel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ChannelTestResult>, AppError> {
    fleet_admin(&user)?;
    let notifier = notifier(&state)?;
    let Some(stored) = state.db.channel(id).await? else {
        return Err(AppError::NotFound(format!("There is no channel {id}.")));
    };
    let message = Message {
        idempotency_key: format!("flashdeck-test-{}", uuid::Uuid::new_v4().simple()),
        rule: "test".to_owned(),
        array: "Flashdeck".to_owned(),
        resolved: false,
        summary: format!(
            "a test message sent by {} to the channel \"{}\"",
            user.user.username, stored.channel.name
        ),
        created_at_ms: unix_now() * 1000,
        personal: false,
        report: None,
        link: notifier.portal_url.clone(),
    };
    Ok(Json(notifier.send_to(&stored, &message, None).await?))
}

/// `GET /api/notifications/rules`
pub async fn rules(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Rule>>, AppError> {
    fleet_admin(&user)?;
    Ok(Json(state.db.rules().await?))
}

/// `POST /api/notifications/rules`: its arrays must be the portal's and its channels exist.
pub async fn create_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<NewRule>,
) -> Result<(StatusCode, Json<Rule>), AppError> {
    fleet_admin(&user)?;
    validate_new_rule(&request).map_err(AppError::Invalid)?;
    for array in request.arrays.iter().flatten() {
        if state.arrays.get(array).is_none() {
            return Err(AppError::Invalid(ApiError::for_field(
                "arrays",
                format!("There is no array named {array:?}."),
            )));
        }
    }
    let channels = state.db.channels().await?;
    for id in &request.channels {
        if !channels.iter().any(|stored| stored.channel.id == *id) {
            return Err(AppError::Invalid(ApiError::for_field(
                "channels",
                format!("There is no channel {id}."),
            )));
        }
    }
    if state.db.rules().await?.len() >= MAX_RULES {
        return Err(AppError::Invalid(ApiError::for_field(
            "name",
            format!("The portal holds {MAX_RULES} rules already; delete one first."),
        )));
    }
    let arrays = request.arrays.clone().map(|mut arrays| {
        arrays.sort_unstable();
        arrays.dedup();
        arrays
    });
    let mut channel_ids = request.channels.clone();
    channel_ids.sort_unstable();
    channel_ids.dedup();
    let mut rule = Rule {
        id: 0,
        name: request.name.trim().to_owned(),
        condition: request.condition,
        arrays,
        channels: channel_ids,
        created_by: user.user.username.clone(),
        created_at: unix_now(),
        repeat_hours: request.repeat_hours,
        quiet_hours: request.quiet_hours,
    };
    let Some(id) = state.db.create_rule(&rule).await? else {
        return Err(AppError::Invalid(ApiError::for_field(
            "name",
            format!("A rule named {:?} exists already.", rule.name),
        )));
    };
    rule.id = id;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// `DELETE /api/notifications/rules/{id}`
pub async fn delete_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    fleet_admin(&user)?;
    if state.db.delete_rule(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound(format!("There is no rule {id}.")))
    }
}

/// `POST /api/notifications/deliveries/{delivery}/retry`: a failed message tried once more,
/// now (and no more after that unless asked again).
pub async fn retry_delivery(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    fleet_admin(&user)?;
    let notifier = notifier(&state)?;
    let Some(attempts) = state.db.retry_delivery(id).await? else {
        return Err(AppError::Conflict(format!(
            "Message {id} has not failed: only a failed message is sent again."
        )));
    };
    notifier
        .jobs
        .push_delivery(
            crate::jobs::DeliveryJob { delivery_id: id },
            std::time::Duration::ZERO,
            usize::try_from(attempts).unwrap_or(usize::MAX),
        )
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/notifications/deliveries`: the latest messages, newest first, with where each
/// stands.
pub async fn deliveries(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Delivery>>, AppError> {
    fleet_admin(&user)?;
    Ok(Json(state.db.deliveries(DELIVERIES_LISTED).await?))
}

/// `GET /api/notifications/personal-mail`: the email channel mail to people goes through.
pub async fn personal_mail(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<PersonalMail>, AppError> {
    fleet_admin(&user)?;
    Ok(Json(PersonalMail {
        channel: state.db.personal_mail_channel_id().await?,
    }))
}

/// `PUT /api/notifications/personal-mail`: chooses an email channel (or none) for mail to
/// people about themselves.
pub async fn set_personal_mail(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<PersonalMail>,
) -> Result<Json<PersonalMail>, AppError> {
    fleet_admin(&user)?;
    if let Some(id) = request.channel {
        match state.db.channel(id).await? {
            Some(stored) if stored.channel.kind == ChannelKind::Email => {}
            Some(stored) => {
                return Err(AppError::Invalid(ApiError::for_field(
                    "channel",
                    format!(
                        "{} is a {} channel: mail to people goes through an email channel.",
                        stored.channel.name,
                        stored.channel.kind.label()
                    ),
                )));
            }
            None => {
                return Err(AppError::Invalid(ApiError::for_field(
                    "channel",
                    format!("There is no channel {id}."),
                )));
            }
        }
    }
    state.db.set_personal_mail_channel(request.channel).await?;
    Ok(Json(request))
}

/// `GET /api/notifications/report`: when the capacity and protection report goes out.
pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReportSettings>, AppError> {
    fleet_admin(&user)?;
    let stored = state.db.report_schedule().await?;
    Ok(Json(ReportSettings {
        schedule: stored.as_ref().map(|stored| stored.schedule),
        next_at_ms: stored
            .as_ref()
            .map(|stored| stored.schedule.next_after(unix_now_ms())),
        last_sent_at_ms: stored.and_then(|stored| stored.last_sent_at_ms),
    }))
}

/// `PUT /api/notifications/report`: sends the report weekly through a channel (any kind:
/// mail carries it whole, the others its summary), or stops it.
pub async fn set_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<ReportSettings>,
) -> Result<Json<ReportSettings>, AppError> {
    fleet_admin(&user)?;
    if let Some(schedule) = &request.schedule {
        validate_report_schedule(schedule).map_err(AppError::Invalid)?;
        if state.db.channel(schedule.channel).await?.is_none() {
            return Err(AppError::Invalid(ApiError::for_field(
                "channel",
                format!("There is no channel {}.", schedule.channel),
            )));
        }
    }
    state
        .db
        .set_report_schedule(request.schedule.as_ref(), unix_now_ms())
        .await?;
    report(State(state), user).await
}

/// `POST /api/notifications/report/send`: sends the report through its channel now, in a
/// turn like a download's.
pub async fn send_report(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, AppError> {
    fleet_admin(&user)?;
    let _turn = super::reports::report_turn(&state, &user).await?;
    if notifier(&state)?.send_report_now().await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::Conflict(
            "Schedule the report first: sending it now uses its channel.".into(),
        ))
    }
}

/// A person's own mail reaches everything they may decide, beyond any token's limits: only
/// they, signed in, see or change where it goes.
fn signed_in_self(user: &CurrentUser) -> Result<(), AppError> {
    if user.api_token().is_some() {
        return Err(AppError::Forbidden(
            "Your mail settings are kept signed in to the portal, not with a token.".into(),
        ));
    }
    Ok(())
}

/// `GET /api/notifications/mine`: what the caller is told of by mail.
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MyNotifications>, AppError> {
    signed_in_self(&user)?;
    let (email, topics) = state.db.subscriptions_of(user.user.id).await?;
    Ok(Json(MyNotifications {
        email,
        topics,
        mail_ready: state.notifier.is_some()
            && state.db.personal_mail_channel_id().await?.is_some(),
    }))
}

/// `PUT /api/notifications/mine`: the caller's address and what they are told of.
pub async fn change_mine(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<MyNotificationsChange>,
) -> Result<Json<MyNotifications>, AppError> {
    signed_in_self(&user)?;
    validate_my_notifications(&request).map_err(AppError::Invalid)?;
    let email = request
        .email
        .as_deref()
        .map(str::trim)
        .filter(|email| !email.is_empty());
    let mut topics = request.topics.clone();
    topics.sort_unstable();
    topics.dedup();
    state
        .db
        .set_subscriptions(user.user.id, email, &topics)
        .await?;
    mine(State(state), user).await
}

/// `GET /api/notifications/silences`: the silences in force.
pub async fn silences(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Silence>>, AppError> {
    fleet_admin(&user)?;
    Ok(Json(state.db.silences(unix_now_ms()).await?))
}

/// `POST /api/notifications/silences`: nothing told for a rule (on one array, or every one
/// it watches) for some hours.
pub async fn create_silence(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<NewSilence>,
) -> Result<(StatusCode, Json<Silence>), AppError> {
    fleet_admin(&user)?;
    validate_new_silence(&request).map_err(AppError::Invalid)?;
    let Some(rule) = state
        .db
        .rules()
        .await?
        .into_iter()
        .find(|rule| rule.id == request.rule)
    else {
        return Err(AppError::Invalid(ApiError::for_field(
            "rule",
            format!("There is no rule {}.", request.rule),
        )));
    };
    let array = request
        .array
        .as_deref()
        .map(str::trim)
        .filter(|array| !array.is_empty());
    if let Some(array) = array
        && state.arrays.get(array).is_none()
    {
        return Err(AppError::Invalid(ApiError::for_field(
            "array",
            format!("There is no array named {array:?}."),
        )));
    }
    let now = unix_now_ms();
    if state.db.silences(now).await?.len() >= MAX_SILENCES {
        return Err(AppError::Invalid(ApiError::for_field(
            "rule",
            format!("{MAX_SILENCES} silences are in force already; end one first."),
        )));
    }
    let mut silence = Silence {
        id: 0,
        rule: rule.id,
        rule_name: rule.name,
        array: array.map(str::to_owned),
        reason: request.reason.trim().to_owned(),
        created_by: user.user.username.clone(),
        created_at_ms: now,
        until_ms: now + i64::from(request.hours) * 3_600_000,
    };
    silence.id = state.db.create_silence(&silence).await?;
    Ok((StatusCode::CREATED, Json(silence)))
}

/// `DELETE /api/notifications/silences/{silence}`: ends it now.
pub async fn end_silence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    fleet_admin(&user)?;
    if state.db.end_silence(id, unix_now_ms()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound(format!("No silence {id} is in force.")))
    }
}
