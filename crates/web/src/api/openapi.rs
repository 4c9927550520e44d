//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API. Written out by hand,
//! except for the answers of each procedure, which are the catalog's own JSON Schemas (so a
//! generator can build bodies the server accepts). A test checks that every route of the API
//! router appears here, and schemathesis (in CI) that every answer the server gives is the one
//! documented.

use crate::AppState;
use crate::api::body::FILE_TYPES;
use axum::Json;
use axum::extract::State;
use madoguchi_domain::catalog::Catalog;
use madoguchi_domain::schema::answers_schema;
use serde_json::{Value, json};

pub async fn document(State(state): State<AppState>) -> Json<Value> {
    Json(spec(&state.portal.catalog))
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn json_content(schema: &str) -> Value {
    json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } })
}

/// `{"procedure_id": "…", "answers": {…}}` for each procedure that can be applied for online,
/// with that procedure's answers schema; counter-only ones are named (they answer 409).
fn create_application(catalog: &Catalog) -> Value {
    let mut choices: Vec<Value> = catalog
        .procedures
        .iter()
        .filter(|p| p.is_online())
        .map(|p| {
            json!({
                "title": p.title.ja,
                "type": "object",
                "required": ["procedure_id", "answers"],
                "additionalProperties": false,
                "properties": {
                    "procedure_id": { "const": p.id.as_str() },
                    "answers": answers_schema(p),
                },
            })
        })
        .collect();
    let counter_only: Vec<&str> = catalog
        .procedures
        .iter()
        .filter(|p| !p.is_online())
        .map(|p| p.id.as_str())
        .collect();
    if !counter_only.is_empty() {
        choices.push(json!({
            "title": "窓口のみの手続（409 not_online）",
            "type": "object",
            "required": ["procedure_id", "answers"],
            "additionalProperties": false,
            "properties": {
                "procedure_id": { "enum": counter_only },
                "answers": { "type": "object" },
            },
        }));
    }
    json!({ "oneOf": choices })
}

pub fn spec(catalog: &Catalog) -> Value {
    let access_code = json!({ "name": "Access-Code", "in": "header", "required": true, "schema": { "type": "string", "minLength": 1 }, "description": "The access code shown to the resident with the receipt number." });
    let receipt = json!({ "name": "receipt", "in": "path", "required": true, "schema": { "type": "string", "examples": ["2026-0000123"] } });
    let front_end = json!([{}, { "clientKey": [] }]);
    let bad_key =
        error_response("A client key that is not (or no longer) valid (code unauthorized)");
    let limited =
        error_response("Too many requests from this caller in a minute (code rate_limited)");
    let not_json = error_response("The body is not application/json (code unsupported_media_type)");
    let too_large =
        error_response("The body is larger than the configured limit (code payload_too_large)");
    let bad_json =
        error_response("Malformed JSON, duplicate keys or an unknown field (code invalid_json)");
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "madoguchi API",
            "version": "1",
            "description": "Procedures and applications of a municipality's online counter. Messages are in Japanese unless Accept-Language asks for English. Answers are read as the web form reads them (ひらがな readings, hyphens in numbers); the rules JSON Schema cannot state are listed in each answers schema under `x-server-checks`."
        },
        "paths": {
            "/api/v1/procedures": { "get": {
                "summary": "List procedures, categories and life events",
                "operationId": "listProcedures",
                "responses": { "200": { "description": "The catalog", "content": json_content("Catalog") } }
            }},
            "/api/v1/procedures/{id}": { "get": {
                "summary": "One procedure with its steps and the JSON Schema of its answers",
                "operationId": "getProcedure",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "The procedure; `answers_schema` is a JSON Schema (2020-12) that answers must satisfy", "content": json_content("Procedure") },
                    "404": error_response("No such procedure")
                }
            }},
            "/api/v1/life-events": { "get": {
                "summary": "List life events (引越し, 出生, おくやみ)",
                "operationId": "listLifeEvents",
                "responses": { "200": { "description": "The life events and the procedures each can imply", "content": { "application/json": { "schema": { "type": "object", "required": ["life_events"], "properties": { "life_events": { "type": "array", "items": { "$ref": "#/components/schemas/LifeEventSummary" } } } } } } } }
            }},
            "/api/v1/life-events/{id}": { "get": {
                "summary": "One life event with its interview and shared facts, page by page and as JSON Schemas",
                "operationId": "getLifeEvent",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "The event; `interview_schema` and `facts_schema` are JSON Schemas (2020-12)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LifeEventSummary" } } } },
                    "404": error_response("No such life event")
                }
            }},
            "/api/v1/life-events/{id}/list": { "post": {
                "summary": "The personal list for interview answers: what applies or may apply, by 担当課, with deadlines",
                "operationId": "listLifeEventProcedures",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["interview"], "properties": { "interview": { "type": "object", "description": "As in the event's interview_schema" } } } } } },
                "responses": {
                    "200": { "description": "Departments, each with its procedures (`applies`: yes or maybe, `online`, `deadline`, `counter_only_reason`, `attachments`)", "content": { "application/json": { "schema": { "type": "object", "required": ["departments"], "properties": { "departments": { "type": "array", "items": { "type": "object" } } } } } } },
                    "400": error_response("Malformed JSON or duplicate keys (code invalid_json)"),
                    "404": error_response("No such life event"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("Invalid interview answers (code invalid_answers; fields named interview.…)")
                }
            }},
            "/api/v1/life-events/{id}/bundles": { "post": {
                "summary": "Submit a life event's online procedures together (one application each, one transaction, one access code)",
                "operationId": "createBundle",
                "description": "The interview decides which procedures may be sent; the facts fill each procedure's questions as the event's prefill maps them; `procedures` holds, per procedure id, the answers the facts do not give. Each is checked as an application sent alone; a problem anywhere stores nothing. The same Idempotency-Key from the same caller always returns the same bundle.",
                "security": front_end,
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$" } }
                ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateBundle" } } } },
                "responses": {
                    "201": { "description": "Stored and acknowledged", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BundleReceipt" } } } },
                    "400": error_response("Malformed JSON, duplicate keys, an unknown field or a malformed Idempotency-Key (codes invalid_json, invalid_idempotency_key)"),
                    "401": bad_key,
                    "404": error_response("No such life event"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("Invalid answers (code invalid_answers; fields named interview.…, facts.… or procedures.{id}.…), no procedure or one the interview does not call for (code bad_request), or a reused idempotency key"),
                    "429": limited
                }
            }},
            "/api/v1/applications": { "post": {
                "summary": "Submit an application",
                "operationId": "createApplication",
                "description": "Answers are checked against the procedure. The same Idempotency-Key from the same caller always returns the same application (with the header Idempotent-Replayed: true on a replay); reused with a different body it is refused. Front ends submitting for many residents send their client key.",
                "security": front_end,
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateApplication" } } } },
                "responses": {
                    "201": {
                        "description": "Stored and acknowledged",
                        "content": json_content("Receipt"),
                        "links": {
                            "status": { "operationId": "getApplication", "parameters": { "receipt": "$response.body#/receipt_number", "header.Access-Code": "$response.body#/access_code" } },
                            "withdraw": { "operationId": "withdrawApplication", "parameters": { "receipt": "$response.body#/receipt_number", "header.Access-Code": "$response.body#/access_code" } }
                        }
                    },
                    "400": error_response("Malformed JSON, duplicate keys, an unknown field or a malformed Idempotency-Key (codes invalid_json, invalid_idempotency_key)"),
                    "401": bad_key,
                    "404": error_response("No such procedure"),
                    "409": error_response("The procedure cannot be applied for online (code not_online)"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("Invalid answers (code invalid_answers, with errors) or a reused idempotency key (code idempotency_key_reused)"),
                    "429": limited
                }
            }},
            "/api/v1/applications/{receipt}": { "get": {
                "summary": "An application's status, answers and history",
                "operationId": "getApplication",
                "security": front_end,
                "parameters": [receipt, access_code],
                "responses": {
                    "200": { "description": "The application", "content": json_content("ApplicationStatus") },
                    "400": error_response("No Access-Code header (code missing_access_code)"),
                    "401": bad_key,
                    "404": error_response("Unknown receipt number or wrong access code (indistinguishable on purpose)"),
                    "429": error_response("Too many look-ups from this caller (code rate_limited)")
                }
            }},
            "/api/v1/applications/{receipt}/withdraw": { "post": {
                "summary": "Withdraw an application the department has not accepted yet",
                "operationId": "withdrawApplication",
                "security": front_end,
                "parameters": [receipt, access_code],
                "responses": {
                    "200": { "description": "Withdrawn", "content": json_content("ApplicationStatus") },
                    "400": error_response("No Access-Code header (code missing_access_code)"),
                    "401": bad_key,
                    "404": error_response("Unknown receipt number or wrong access code"),
                    "409": error_response("Already accepted (code not_allowed), or changed by the department at the same moment (code conflict)"),
                    "429": error_response("Too many look-ups from this caller (code rate_limited)")
                }
            }},
            "/api/v1/postal-codes/{code}": { "get": {
                "summary": "The areas a postal code names (Japan Post data)",
                "operationId": "getPostalCode",
                "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^〒?[0-9０-９]{3}[-－ー‐]?[0-9０-９]{4}$" }, "description": "7 digits; a hyphen, full-width digits and 〒 are accepted" }],
                "responses": {
                    "200": { "description": "Prefecture, city, town, their kana and the 6-digit 全国地方公共団体コード", "content": json_content("PostalCode") },
                    "404": error_response("No such postal code (code unknown_postal_code)"),
                    "422": error_response("Not 7 digits (code invalid_postal_code)")
                }
            }},
            "/api/v1/counter/agents": { "post": {
                "summary": "Pair a card agent with a counter session",
                "operationId": "pairCardAgent",
                "description": "For madoguchi-card-agent on a counter PC. The one-time code is shown on the counter screen for 10 minutes and pairs once; the token lasts as long as the staff session.",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "additionalProperties": false, "required": ["pairing_code"],
                    "properties": { "pairing_code": { "type": "string" }, "name": { "type": "string", "description": "The PC's name, shown on the counter screen" } }
                } } } },
                "responses": {
                    "201": { "description": "Paired", "content": { "application/json": { "schema": { "type": "object", "required": ["token"], "properties": { "token": { "type": "string" } } } } } },
                    "400": error_response("Not such an object (code invalid_json)"),
                    "404": error_response("A wrong, used or expired code (code not_found)"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("A name with characters no text may hold (code invalid_text)"),
                    "429": error_response("Too many tries from this caller (code rate_limited)")
                }
            }},
            "/api/v1/counter/agent/requests": { "get": {
                "summary": "The card read the paired session asks for",
                "operationId": "nextCardRead",
                "security": [{ "cardAgent": [] }],
                "responses": {
                    "200": { "description": "Read the card now and report", "content": { "application/json": { "schema": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string", "format": "uuid" } } } } } },
                    "204": { "description": "Nothing to read" },
                    "401": error_response("No such agent, or its session has ended (code unauthorized)")
                }
            }},
            "/api/v1/counter/agent/requests/{id}": { "post": {
                "summary": "Report a card read's outcome",
                "operationId": "reportCardRead",
                "description": "`read` carries the 券面事項入力補助AP's EF 0001 (個人番号) and EF 0002 (氏名・住所・生年月日・性別) as the card returned them, base64; the server reads and checks them and seals the number. The PIN is never sent.",
                "security": [{ "cardAgent": [] }],
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "oneOf": [
                    { "type": "object", "required": ["outcome", "my_number", "attributes"], "properties": { "outcome": { "const": "read" }, "my_number": { "type": "string", "contentEncoding": "base64" }, "attributes": { "type": "string", "contentEncoding": "base64" } } },
                    { "type": "object", "required": ["outcome", "tries_left"], "properties": { "outcome": { "const": "wrong_pin" }, "tries_left": { "type": "integer", "minimum": 0, "maximum": 15 } } },
                    { "type": "object", "required": ["outcome"], "properties": { "outcome": { "enum": ["blocked", "card_removed", "no_card", "not_my_number_card", "pin_format", "reader_error"] } } }
                ] } } } },
                "responses": {
                    "204": { "description": "Recorded" },
                    "400": error_response("Not an outcome (code invalid_json)"),
                    "401": error_response("No such agent, or its session has ended (code unauthorized)"),
                    "404": error_response("No such read for this agent, or already reported (code not_found)"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("The files are not a card's (code bad_request)")
                }
            }},
            "/api/v1/attachments": { "post": {
                "summary": "Upload a file for a file question",
                "operationId": "uploadAttachment",
                "description": "The body is the file itself. Its type is read from its structure (a PDF with its cross-reference table, a PNG's chunks, a JPEG's frame), never from a name or the declared type. Refer to it in answers as {\"attachment\": id, \"name\": \"…\"}; a file no application uses is deleted after a day.",
                "security": front_end,
                "requestBody": { "required": true, "content": FILE_TYPES.iter().map(|t| (t.to_string(), json!({ "schema": { "type": "string", "contentMediaType": t } }))).collect::<serde_json::Map<_, _>>() },
                "responses": {
                    "201": { "description": "Stored", "content": json_content("Attachment") },
                    "400": error_response("The body could not be read (code invalid_body)"),
                    "401": bad_key,
                    "413": too_large,
                    "415": error_response("The declared type is not a file type (code unsupported_media_type)"),
                    "422": error_response("Not a whole PDF, JPEG or PNG file (codes file_type, file_damaged)"),
                    "429": error_response("Too many uploads from this caller (code rate_limited)")
                }
            }},
            "/api/v1/integration/applications": { "get": {
                "summary": "Applications of the token's department changed since a cursor",
                "operationId": "listChanges",
                "description": "For business systems (the pull model of ぴったりサービス's 電子申請等情報受取等API). Start with cursor=0; keep `next_cursor` and pass it next time. Every change (submission, status change, resubmission) moves an application to the end of the feed. Answers carry 個人番号 whole; every read is audited.",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "cursor", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_991_i64, "default": 0 } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }
                ],
                "responses": {
                    "200": { "description": "Changed applications, oldest change first", "content": { "application/json": { "schema": { "type": "object", "required": ["items", "next_cursor"], "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/IntegrationApplication" } },
                        "next_cursor": { "type": "integer" }
                    }}}}},
                    "400": error_response("A cursor or limit out of range or not a number (code invalid_query)"),
                    "401": error_response("No valid token (code unauthorized)")
                }
            }},
            "/api/v1/integration/applications/{receipt}": { "get": {
                "summary": "One application of the token's department, with its history",
                "operationId": "getIntegrationApplication",
                "security": [{ "bearer": [] }],
                "parameters": [receipt],
                "responses": {
                    "200": { "description": "The application", "content": json_content("IntegrationApplication") },
                    "401": error_response("No valid token"),
                    "404": error_response("No such application in this department")
                }
            }},
            "/api/v1/integration/applications/{receipt}/attachments/{id}": { "get": {
                "summary": "Download an attachment of an application",
                "operationId": "getIntegrationAttachment",
                "security": [{ "bearer": [] }],
                "parameters": [receipt, { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "The file, with Content-Disposition: attachment", "content": { "application/pdf": {}, "image/jpeg": {}, "image/png": {} } },
                    "401": error_response("No valid token"),
                    "404": error_response("No such application or attachment")
                }
            }},
            "/api/v1/integration/applications/{receipt}/status": { "post": {
                "summary": "Write a processing result back",
                "operationId": "writeStatus",
                "description": "Takes the same action staff would: accept, request_correction (with fields and message), approve, reject (with message), complete, note, or decide_fee (with amount in yen, for a procedure whose fee the department sets; message optional, shown to the resident). The resident sees the new status or fee; webhooks fire.",
                "security": [{ "bearer": [] }],
                "parameters": [receipt],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["action"], "additionalProperties": false, "properties": {
                    "action": { "enum": ["accept", "request_correction", "approve", "reject", "complete", "note", "decide_fee"] },
                    "message": { "type": "string" },
                    "amount": { "type": "integer", "minimum": 0, "maximum": 1000000000, "description": "Yen, for decide_fee" },
                    "fields": { "type": "array", "items": { "type": "string" } }
                }}}}},
                "responses": {
                    "200": { "description": "Done", "content": { "application/json": { "schema": { "type": "object", "required": ["receipt_number", "status", "change_seq"], "properties": {
                        "receipt_number": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" }, "change_seq": { "type": "integer" }
                    }}}}},
                    "400": bad_json,
                    "401": error_response("No valid token"),
                    "404": error_response("No such application in this department"),
                    "409": error_response("Not allowed in the current status (code not_allowed), or changed by another action at the same moment (code conflict)"),
                    "413": too_large,
                    "415": not_json,
                    "422": error_response("An unknown action, a missing message, fields or amount, a fee the department does not set, or text the server refuses (codes invalid_action, bad_request, invalid_text)")
                }
            }}
        },
        "webhooks": {
            "applicationStatusChanged": { "post": {
                "summary": "An application of the department changed status",
                "description": "Sent to each endpoint configured for the department ([[webhooks]] in the configuration) for every status change, retried with backoff until the endpoint answers 2xx. The header `Madoguchi-Signature: t=<unix seconds>,v1=<hex>` carries HMAC-SHA256(secret, \"<t>.<body>\"); check it and reject old timestamps. Deliveries can be resent from the back office, so handle an event `id` seen before as a no-op.",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "type": { "const": "application.status_changed" }, "id": { "type": "string", "format": "uuid" },
                    "application_id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" },
                    "procedure_id": { "type": "string" }, "department_id": { "type": "string" },
                    "previous_status": { "$ref": "#/components/schemas/Status" }, "status": { "$ref": "#/components/schemas/Status" },
                    "occurred_at": { "type": "string", "format": "date-time" }
                }}}}},
                "responses": { "2XX": { "description": "Acknowledged; anything else is retried" } }
            }},
            "applicationFeeDecided": { "post": {
                "summary": "The department decided the fee of an application (手数料の決定)",
                "description": "Sent like applicationStatusChanged, signed the same way, when staff or a business system record the amount of a fee the department sets.",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "type": { "const": "application.fee_decided" }, "id": { "type": "string", "format": "uuid" },
                    "application_id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" },
                    "procedure_id": { "type": "string" }, "department_id": { "type": "string" },
                    "status": { "$ref": "#/components/schemas/Status" }, "fee": { "type": "integer", "minimum": 0 },
                    "occurred_at": { "type": "string", "format": "date-time" }
                }}}}},
                "responses": { "2XX": { "description": "Acknowledged; anything else is retried" } }
            }}
        },
        "components": {
          "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer", "description": "A department's API token (mdg_…), issued in the back office." },
            "cardAgent": { "type": "http", "scheme": "bearer", "description": "A card agent's token, from pairCardAgent." },
            "clientKey": { "type": "http", "scheme": "bearer", "description": "A front end's client key (mdc_…), issued by administrators in the back office: its own request budget and its own idempotency keys." }
          },
          "schemas": {
            "Localized": { "type": "object", "required": ["ja"], "properties": { "ja": { "type": "string" }, "en": { "type": ["string", "null"] } } },
            "Catalog": { "type": "object", "required": ["procedures", "categories", "life_events"], "properties": {
                "procedures": { "type": "array", "items": { "$ref": "#/components/schemas/ProcedureSummary" } },
                "categories": { "type": "array", "items": { "type": "object" } },
                "life_events": { "type": "array", "items": { "type": "object" } }
            }},
            "ProcedureSummary": { "type": "object", "required": ["id", "version", "title", "online"], "properties": {
                "id": { "type": "string" }, "version": { "type": "string" }, "title": { "$ref": "#/components/schemas/Localized" },
                "summary": { "$ref": "#/components/schemas/Localized" }, "category": { "type": "string" },
                "life_events": { "type": "array", "items": { "type": "string" } }, "online": { "type": "boolean" },
                "counter_only_reason": { "oneOf": [{ "$ref": "#/components/schemas/Localized" }, { "type": "null" }] },
                "department": { "type": "object" }, "fee": { "type": "object" }, "identity_level": { "type": "string" }
            }},
            "Procedure": { "allOf": [{ "$ref": "#/components/schemas/ProcedureSummary" }, { "type": "object", "properties": {
                "steps": { "type": "array", "items": { "type": "object" } },
                "answers_schema": { "type": "object", "description": "JSON Schema (draft 2020-12) of the answers object" }
            }}]},
            "CreateApplication": create_application(catalog),
            "Receipt": { "type": "object", "required": ["id", "receipt_number", "access_code", "status"], "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" }, "access_code": { "type": "string" },
                "status": { "$ref": "#/components/schemas/Status" }, "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }
            }},
            "Fee": { "type": "object", "required": ["status", "amount", "lines"], "description": "手数料: amount in yen, null while the department has not set it (decided_by_staff) or the answers do not say (unknown); decided once the department has set it", "properties": {
                    "status": { "enum": ["free", "amount", "decided_by_staff", "decided", "unknown"] },
                    "amount": { "type": ["integer", "null"], "minimum": 0 },
                    "lines": { "type": "array", "items": { "type": "object", "required": ["label", "amount"], "properties": { "label": { "type": "string" }, "amount": { "type": "integer", "minimum": 0 } } } }
                }},
            "Status": { "type": "string", "enum": ["submitted", "accepted", "correction_requested", "resubmitted", "approved", "rejected", "completed", "withdrawn"] },
            "LifeEventSummary": { "type": "object", "required": ["id", "title", "procedures"], "properties": {
                "id": { "type": "string" }, "title": { "type": "object" }, "description": { "type": "object" },
                "procedures": { "type": "array", "items": { "type": "string" } },
                "interview": { "type": "array" }, "interview_schema": { "type": "object" },
                "facts": { "type": "array" }, "facts_schema": { "type": "object" }
            }},
            "CreateBundle": { "type": "object", "required": ["interview", "facts", "procedures"], "additionalProperties": false, "properties": {
                "interview": { "type": "object", "description": "As in the event's interview_schema" },
                "facts": { "type": "object", "description": "As in the event's facts_schema" },
                "procedures": { "type": "object", "minProperties": 1, "additionalProperties": { "type": "object" }, "description": "Per procedure id, the answers the facts do not give (as in its answers_schema)" }
            }},
            "BundleReceipt": { "type": "object", "required": ["bundle_id", "life_event_id", "access_code", "applications"], "properties": {
                "bundle_id": { "type": "string", "format": "uuid" }, "life_event_id": { "type": "string" },
                "access_code": { "type": "string", "description": "Opens the status of every application of the bundle" },
                "submitted_at": { "type": "string", "format": "date-time" },
                "applications": { "type": "array", "items": { "type": "object", "required": ["receipt_number", "procedure_id", "department_id", "status"], "properties": {
                    "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" }, "procedure_id": { "type": "string" },
                    "department_id": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" }
                }}}
            }},
            "IntegrationApplication": { "type": "object", "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" },
                "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" }, "department_id": { "type": "string" },
                "status": { "$ref": "#/components/schemas/Status" }, "channel": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
                "change_seq": { "type": "integer", "description": "Position in the change feed" },
                "bundle_id": { "type": ["string", "null"], "format": "uuid", "description": "The bundle it was submitted in with other procedures of a life event (one transaction, one access code); null when submitted alone" },
                "life_event_id": { "type": ["string", "null"], "description": "The life event the bundle came from (hikkoshi, shussei, okuyami)" },
                "correction": { "description": "The open correction request, if any" },
                "answers": { "type": "object", "description": "As in the procedure's answers_schema; 個人番号 whole" },
                "fee": { "$ref": "#/components/schemas/Fee" },
                "attachments": { "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "size": { "type": "integer" }, "content_type": { "type": "string" }, "href": { "type": "string" }
                }}},
                "history": { "type": "array", "items": { "type": "object" } }
            }},
            "ApplicationStatus": { "type": "object", "required": ["id", "receipt_number", "status", "answers", "fee", "history"], "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" },
                "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
                "answers": { "type": "object" },
                "fee": { "$ref": "#/components/schemas/Fee" },
                "history": { "type": "array", "items": { "type": "object", "properties": {
                    "event": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" }, "at": { "type": "string", "format": "date-time" }
                }}}
            }},
            "PostalCode": { "type": "object", "required": ["postal_code", "areas"], "properties": {
                "postal_code": { "type": "string", "pattern": "^[0-9]{7}$" },
                "areas": { "type": "array", "items": { "type": "object", "properties": {
                    "local_gov_code": { "type": "string", "pattern": "^[0-9]{6}$" },
                    "prefecture": { "type": "string" }, "city": { "type": "string" }, "town": { "type": "string" },
                    "prefecture_kana": { "type": "string" }, "city_kana": { "type": "string" }, "town_kana": { "type": "string" },
                    "note": { "type": "string" }
                }}}
            }},
            "Attachment": { "type": "object", "required": ["attachment", "size", "content_type"], "properties": {
                "attachment": { "type": "string", "pattern": "^[0-9a-f]{64}$" }, "size": { "type": "integer" }, "content_type": { "enum": ["application/pdf", "image/jpeg", "image/png"] }
            }},
            "Error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string", "description": "Stable, snake_case" },
                "message": { "type": "string" },
                "errors": { "type": "array", "items": { "type": "object", "required": ["field", "code", "message"], "properties": {
                    "field": { "type": "string", "examples": ["children[1].birth_date"] },
                    "code": { "type": "string", "examples": ["required", "invalid_date", "not_applicable"] },
                    "message": { "type": "string" }
                }}}
            }}
        }}
    })
}
