//! The emulated engagement: chat messages, files, the engagement with its operators as
//! links, the operators, and the visitor ending it.

#[allow(clippy::wildcard_imports)] // the parent's types, helpers and imports
use super::*;

/// The file part of an upload form: name, type and contents.
async fn file_part(
    form: Result<Multipart, MultipartRejection>,
) -> Result<(String, String, axum::body::Bytes), Response> {
    let mut form = form.map_err(|e| bad(&e.body_text()))?;
    loop {
        let field = form
            .next_field()
            .await
            .map_err(|e| error(e.status(), &e.body_text()))?;
        let Some(field) = field else {
            return Err(bad(&format!(
                "a multipart part named \"{}\" is required",
                inferred::UPLOAD_FIELD
            )));
        };
        if field.name() != Some(inferred::UPLOAD_FIELD) {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| error(e.status(), &e.body_text()))?;
        if name.is_empty() {
            return Err(bad("the file part needs a filename"));
        }
        return Ok((name, content_type, bytes));
    }
}

pub(super) async fn upload(
    State(emu): State<Arc<Emu>>,
    Path(engagement): Path<String>,
    VisitorOf(_): VisitorOf,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if ticket_of_engagement(&emu, &engagement).is_none() {
        return no_engagement();
    }
    let (name, content_type, bytes) = match file_part(form).await {
        Ok(part) => part,
        Err(r) => return r,
    };
    let size = bytes.len() as u64;
    if size > inferred::MAX_FILE_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "file too large: {size} bytes, the limit is {}",
                inferred::MAX_FILE_BYTES
            ),
        );
    }
    if !inferred::takes_file_type(&content_type) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("file type {content_type} is not allowed"),
        );
    }
    let id = uuid::Uuid::new_v4().to_string();
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    // [NOT PUBLIC] the upload's answer (`inferred::UploadedFile` on the connector's side).
    let answer = json!({
        "id": id, "url": format!("http://{host}/engagements/{engagement}/files/{id}"),
        "name": name, "content_type": content_type, "size": size,
    });
    emu.books().files.insert(
        id,
        StoredFile {
            engagement,
            name,
            content_type,
            bytes,
        },
    );
    (StatusCode::CREATED, Json(answer)).into_response()
}

pub(super) async fn file(
    State(emu): State<Arc<Emu>>,
    Path((engagement, id)): Path<(String, String)>,
    VisitorOf(_): VisitorOf,
) -> Response {
    let books = emu.books();
    match books.files.get(&id).filter(|f| f.engagement == engagement) {
        Some(f) => (
            [(axum::http::header::CONTENT_TYPE, f.content_type.clone())],
            f.bytes.clone(),
        )
            .into_response(),
        None => error(StatusCode::NOT_FOUND, "file not found"),
    }
}

/// The files a message's attachment names, as the desk records them; an error naming the
/// first one not uploaded to `engagement`. Other attachment types carry no files.
fn attached_files(
    emu: &Emu,
    engagement: &str,
    attachment: Option<&Value>,
) -> Result<Vec<ReceivedFile>, Box<Response>> {
    let Some(attachment) = attachment.filter(|a| a.get("type") == Some(&json!("files"))) else {
        return Ok(Vec::new());
    };
    let attachment: wire::FilesAttachment = serde_json::from_value(attachment.clone())
        .map_err(|e| Box::new(bad(&format!("attachment: {e}"))))?;
    let books = emu.books();
    attachment
        .files
        .iter()
        .map(|named| {
            books
                .files
                .get(&named.id)
                .filter(|f| f.engagement == engagement)
                .map(|f| ReceivedFile::of(&f.name, &f.content_type, &f.bytes))
                .ok_or_else(|| {
                    Box::new(bad(&format!(
                        "attachment references unknown file {}",
                        named.id
                    )))
                })
        })
        .collect()
}

pub(super) async fn chat_message(
    State(emu): State<Arc<Emu>>,
    Path((engagement, message)): Path<(String, String)>,
    VisitorOf(_): VisitorOf,
    body: axum::body::Bytes,
) -> Response {
    if uuid::Uuid::parse_str(&message).is_err() {
        return bad("the message id must be a UUID");
    }
    let request: wire::ChatMessage = match parse(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Some(ticket) = ticket_of_engagement(&emu, &engagement) else {
        return no_engagement();
    };
    let files = match attached_files(&emu, &engagement, request.attachment.as_ref()) {
        Ok(files) => files,
        Err(r) => return *r,
    };
    let content = request.content.unwrap_or_default();
    if content.is_empty() && files.is_empty() {
        return bad("content can only be empty if the message carries a files attachment");
    }
    let kind = request.kind.unwrap_or_else(|| "chat".into());
    let answer = json!({"id": message, "content": content, "engagement_id": engagement,
                        "type": kind, "attachment": request.attachment,
                        "metadata": request.metadata});
    if !emu.books().messages.insert(message.clone()) {
        return Json(answer).into_response();
    }
    let conflict = |e: crate::connectors::DeskError| error(StatusCode::CONFLICT, &e.to_string());
    // A file message may have no text.
    if !content.is_empty()
        && let Err(e) = emu.desk.user_message(&ticket, &content)
    {
        return conflict(e);
    }
    for file in files {
        if let Err(e) = emu.desk.user_file(&ticket, file) {
            return conflict(e);
        }
    }
    Json(answer).into_response()
}

/// `GET /engagements/{id}`: the engagement, its operators as links (`[{href}]`) that the
/// client fetches for names.
pub(super) async fn engagement(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    VisitorOf(_): VisitorOf,
) -> Response {
    let Some(ticket) = ticket_of_engagement(&emu, &id) else {
        return no_engagement();
    };
    let visitor = emu
        .books()
        .tickets
        .get(&ticket)
        .map(|t| t.visitor.clone())
        .unwrap_or_default();
    let operators: Vec<Value> = emu
        .desk
        .conversation(&ticket)
        .and_then(|c| c.agent)
        .map(|name| {
            let operator = crate::emulators::desk::SimAgent::named(&name).id;
            vec![json!({ "href": emu.href(&format!("/operators/{operator}")) })]
        })
        .unwrap_or_default();
    Json(json!({
        "id": id, "href": emu.href(&format!("/engagements/{id}")),
        "operators": operators,
        "visitor": { "href": emu.href(&format!("/visitors/{visitor}")) },
        "source": "visitor_integrator",
    }))
    .into_response()
}

/// `GET /operators/{id}`: one operator, with its name.
pub(super) async fn operator(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = visitor_of(&emu, &headers)
        .map(drop)
        .or_else(|_| site(&emu, &headers))
    {
        return *r;
    }
    let found = emu
        .desk
        .agent_list()
        .into_iter()
        .find(|a| crate::emulators::desk::SimAgent::named(&a.name).id == id);
    match found {
        Some(a) => Json(json!({
            "id": id, "href": emu.href(&format!("/operators/{id}")), "name": a.name,
            "available": a.presence == Presence::Available,
        }))
        .into_response(),
        None => error(StatusCode::NOT_FOUND, "operator not found"),
    }
}

pub(super) async fn end_engagement(
    State(emu): State<Arc<Emu>>,
    Path(id): Path<String>,
    VisitorOf(_): VisitorOf,
) -> Response {
    match ticket_of_engagement(&emu, &id) {
        Some(ticket) => {
            let _ = emu.desk.user_left(&ticket);
            StatusCode::NO_CONTENT.into_response()
        }
        None => no_engagement(),
    }
}

pub(super) async fn operators(
    State(emu): State<Arc<Emu>>,
    _: Site,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let include_offline = q.get("include_offline").is_some_and(|v| v == "true");
    let operators = emu
        .desk
        .agent_list()
        .into_iter()
        .filter(|a| include_offline || a.presence != Presence::Offline)
        .map(|a| {
            let id = crate::emulators::desk::SimAgent::named(&a.name).id;
            json!({
                "id": id, "href": emu.href(&format!("/operators/{id}")), "name": a.name,
                "available": a.presence == Presence::Available,
            })
        })
        .collect::<Vec<_>>();
    Json(json!({ "operators": operators })).into_response()
}
