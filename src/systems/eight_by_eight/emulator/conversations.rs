//! The emulated conversation resource: create (202, ISO 8601 `createdAt`), read, messages,
//! typing, the user leaving, and the participants list, each read with [`wire`]'s own types.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;
use wire::{CreateConversation, Message, PatchUser, User};

/// What the agent inbox shows of a new conversation: the `intent` property (or the last user
/// message) as title, the other properties as context, the history as text.
fn request_info(user: &User, messages: &[Message]) -> RequestInfo {
    let property = |key: &str| {
        user.additional_properties
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.clone())
    };
    let text = |m: &Message| m.text.clone().unwrap_or_default();
    let title = property("intent")
        .or_else(|| {
            messages
                .iter()
                .rev()
                .find(|m| m.author_type == "user")
                .map(text)
        })
        .unwrap_or_default();
    let mut context: std::collections::BTreeMap<String, String> = user
        .additional_properties
        .iter()
        .filter(|p| !matches!(p.key.as_str(), "intent" | "topic" | CONVERSATION_PROPERTY))
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    if let Some(language) = &user.language {
        context.insert("language".into(), language.clone());
    }
    RequestInfo {
        title,
        user: UserInfo {
            id: user.user_id.clone().unwrap_or_default(),
            name: user.name.clone().unwrap_or_default(),
            email: user.email.clone(),
        },
        topic: property("topic").unwrap_or_default(),
        context,
        history: messages
            .iter()
            .map(|m| format!("{}: {}", m.author_type, text(m)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Checks what 8x8 checks of a new conversation; the user object it read on success.
fn validate(request: &CreateConversation) -> Result<User, Box<Response>> {
    let invalid = |message: &str| {
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            message,
        ))
    };
    if request.channel_id.trim().is_empty() {
        return Err(invalid("channelId is required"));
    }
    let user: User =
        serde_json::from_value(request.user.clone()).map_err(|e| invalid(&format!("user: {e}")))?;
    if user.additional_properties.len() > 30 {
        return Err(invalid("at most 30 additionalProperties"));
    }
    let messages = request.history.as_ref().map_or(&[][..], |h| &h.messages);
    if messages.len() > 200 {
        return Err(invalid("at most 200 history messages"));
    }
    for m in messages {
        check_author(&m.author_type, wire::MESSAGE_AUTHORS)?;
    }
    Ok(user)
}

pub(super) async fn create(
    State(emu): State<Arc<Emu>>,
    Authorized(request): Authorized<CreateConversation>,
) -> Response {
    let user = match validate(&request) {
        Ok(user) => user,
        Err(r) => return *r,
    };
    let id = format!("conv-{}", uuid::Uuid::new_v4().simple());
    let messages = request.history.as_ref().map_or(&[][..], |h| &h.messages);
    let info = request_info(&user, messages);
    let external = user
        .additional_properties
        .iter()
        .find(|p| p.key == CONVERSATION_PROPERTY)
        .map(|p| p.value.clone());
    let queue = request
        .assignment
        .and_then(|a| a.id)
        .unwrap_or_else(|| DEFAULT_QUEUE.to_owned());
    let meta = ConvMeta {
        channel_id: request.channel_id,
        user: request.user,
        queue,
        user_id: user.user_id.unwrap_or_else(|| "user".into()),
        agents: Vec::new(),
        left: Vec::new(),
        attachments: HashMap::new(),
    };
    emu.conversations
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.clone(), meta);
    let created_at = jiff::Timestamp::now().to_string();
    let desk = emu.desk.clone();
    let eta = emu.options.eta_secs;
    let opened = id.clone();
    // 8x8 answers 202 and queues asynchronously; events may overtake the answer.
    tokio::spawn(async move { desk.open(&opened, external, eta, info).await });
    hal(StatusCode::ACCEPTED, &wire::created(&id, &created_at))
}

/// `GET /conversations/{id}`: the conversation resource (`ConversationResult`).
pub(super) async fn get_one(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    _: Key,
) -> Response {
    let found = emu.meta(&id, |m| {
        let live = m.agents.iter().any(|a| !m.left.contains(&a.id));
        json!({
            "id": id, "channelId": m.channel_id, "user": m.user,
            "assignment": {"type": "queue", "id": m.queue},
            "state": if live { "active" } else { "created" },
        })
    });
    let Some(mut body) = found else {
        return unknown(&id);
    };
    body["_links"] = wire::links(&emu.href(&format!("/conversations/{id}")));
    hal(StatusCode::OK, &body)
}

pub(super) async fn send_message(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    Authorized(message): Authorized<Message>,
) -> Response {
    if let Err(r) = check_author(&message.author_type, wire::MESSAGE_AUTHORS) {
        return *r;
    }
    let text = message.text.unwrap_or_default();
    let has_text = !text.trim().is_empty();
    if !has_text && message.attachments.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "text or attachments required",
        );
    }
    let Some(user_id) = emu.meta(&id, |m| m.user_id.clone()) else {
        return unknown(&id);
    };
    let ids: Vec<String> = message.attachments.into_iter().map(|a| a.id).collect();
    let files = match attachments::referenced(&emu, &id, &ids) {
        Ok(files) => files,
        Err(r) => return *r,
    };
    let closed = |e: crate::connectors::DeskError| {
        problem(StatusCode::CONFLICT, "conversation_closed", &e.to_string())
    };
    if has_text && let Err(e) = emu.desk.user_message(&id, &text) {
        return closed(e);
    }
    let mut echoed = Vec::new();
    for (attachment, file) in files {
        echoed.push(json!({"id": attachment, "type": file.content_type, "fileName": file.name}));
        if let Err(e) = emu.desk.user_file(&id, file) {
            return closed(e);
        }
    }
    // [INFER] 8x8 echoes the user's own message with isEcho: true (and its files).
    let echo = event(
        &id,
        "MESSAGE",
        Some(json!({
            "isEcho": true, "sender": {"id": user_id, "type": "user"}, "text": text,
            "attachments": echoed,
        })),
    );
    spawn_delivery(emu.clone(), echo);
    StatusCode::ACCEPTED.into_response()
}

pub(super) async fn typing(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    Authorized(typing): Authorized<wire::Typing>,
) -> Response {
    if let Err(r) = check_author(&typing.author_type, wire::TYPING_AUTHORS) {
        return *r;
    }
    match emu.desk.user_typing(&id, true) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => unknown(&id),
    }
}

pub(super) async fn remove_user(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    Authorized(remove): Authorized<PatchUser>,
) -> Response {
    if remove.removed != Some(true) {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "only removed: true is supported",
        );
    }
    match emu.desk.user_left(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => unknown(&id),
    }
}

/// `GET /conversations/{id}/participants`: a HAL list of `{id, type, removed}`; 8x8 documents
/// no display name here.
pub(super) async fn participants(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    _: Key,
) -> Response {
    let Some(list) = emu.meta(&id, |m| {
        let mut list = vec![wire::participant(&m.user_id, "user", false)];
        list.extend(
            m.agents
                .iter()
                .map(|a| wire::participant(&a.id, "agent", m.left.contains(&a.id))),
        );
        list
    }) else {
        return unknown(&id);
    };
    let total = list.len();
    let body = json!({
        "_embedded": {"participants": list},
        "_links": wire::links(&emu.href(&format!("/conversations/{id}/participants"))),
        "page": wire::page(total),
    });
    hal(StatusCode::OK, &body)
}
