//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API. Written out by hand
//! (it is short) and checked by a test that every route of the API router appears in it.

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub fn spec() -> Value {
    let access_code = json!({ "name": "Access-Code", "in": "header", "required": true, "schema": { "type": "string" }, "description": "The access code shown to the resident with the receipt number." });
    let receipt = json!({ "name": "receipt", "in": "path", "required": true, "schema": { "type": "string", "examples": ["2026-0000123"] } });
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "madoguchi API",
            "version": "1",
            "description": "Procedures and applications of a municipality's online counter. Messages are in Japanese unless Accept-Language asks for English."
        },
        "paths": {
            "/api/v1/procedures": { "get": {
                "summary": "List procedures, categories and life events",
                "operationId": "listProcedures",
                "responses": { "200": { "description": "The catalog", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Catalog" } } } } }
            }},
            "/api/v1/procedures/{id}": { "get": {
                "summary": "One procedure with its steps and the JSON Schema of its answers",
                "operationId": "getProcedure",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "The procedure; `answers_schema` is a JSON Schema (2020-12) that answers must satisfy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Procedure" } } } },
                    "404": error_response("No such procedure")
                }
            }},
            "/api/v1/applications": { "post": {
                "summary": "Submit an application",
                "operationId": "createApplication",
                "description": "Answers are checked against the procedure. The same Idempotency-Key always returns the same application (with the header Idempotent-Replayed: true on a replay); reused with a different body it is refused.",
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "minLength": 1, "maxLength": 255 } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateApplication" } } } },
                "responses": {
                    "201": { "description": "Stored and acknowledged", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } } },
                    "400": error_response("Malformed JSON or header"),
                    "404": error_response("No such procedure"),
                    "409": error_response("The procedure cannot be applied for online (code not_online)"),
                    "422": error_response("Invalid answers (code invalid_answers, with errors) or a reused idempotency key (code idempotency_key_reused)"),
                    "429": error_response("Too many submissions from this address")
                }
            }},
            "/api/v1/applications/{receipt}": { "get": {
                "summary": "An application's status, answers and history",
                "operationId": "getApplication",
                "parameters": [receipt, access_code],
                "responses": {
                    "200": { "description": "The application", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApplicationStatus" } } } },
                    "404": error_response("Unknown receipt number or wrong access code (indistinguishable on purpose)"),
                    "429": error_response("Too many look-ups from this address")
                }
            }},
            "/api/v1/applications/{receipt}/withdraw": { "post": {
                "summary": "Withdraw an application the department has not accepted yet",
                "operationId": "withdrawApplication",
                "parameters": [receipt, access_code],
                "responses": {
                    "200": { "description": "Withdrawn", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApplicationStatus" } } } },
                    "404": error_response("Unknown receipt number or wrong access code"),
                    "409": error_response("Already accepted (code not_allowed)")
                }
            }},
            "/api/v1/postal-codes/{code}": { "get": {
                "summary": "The areas a postal code names (Japan Post data)",
                "operationId": "getPostalCode",
                "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" }, "description": "7 digits; a hyphen and full-width digits are accepted" }],
                "responses": {
                    "200": { "description": "Prefecture, city, town, their kana and the 6-digit 全国地方公共団体コード", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PostalCode" } } } },
                    "404": error_response("No such postal code (code unknown_postal_code)"),
                    "422": error_response("Not 7 digits (code invalid_postal_code)")
                }
            }},
            "/api/v1/attachments": { "post": {
                "summary": "Upload a file for a file question",
                "operationId": "uploadAttachment",
                "description": "The body is the file itself. Its type is read from its content (PDF, JPEG, PNG), never from a name. Refer to it in answers as {\"attachment\": id, \"name\": \"…\"}.",
                "requestBody": { "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } } } },
                "responses": {
                    "201": { "description": "Stored", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Attachment" } } } },
                    "413": { "description": "Larger than the configured limit" },
                    "422": error_response("Not a PDF, JPEG or PNG file")
                }
            }},
            "/api/v1/integration/applications": { "get": {
                "summary": "Applications of the token's department changed since a cursor",
                "operationId": "listChanges",
                "description": "For business systems (the pull model of ぴったりサービス's 電子申請等情報受取等API). Start with cursor=0; keep `next_cursor` and pass it next time. Every change (submission, status change, resubmission) moves an application to the end of the feed. Answers carry 個人番号 whole; every read is audited.",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "cursor", "in": "query", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }
                ],
                "responses": {
                    "200": { "description": "Changed applications, oldest change first", "content": { "application/json": { "schema": { "type": "object", "required": ["items", "next_cursor"], "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/IntegrationApplication" } },
                        "next_cursor": { "type": "integer" }
                    }}}}},
                    "401": error_response("No valid token (code unauthorized)")
                }
            }},
            "/api/v1/integration/applications/{receipt}": { "get": {
                "summary": "One application of the token's department, with its history",
                "operationId": "getIntegrationApplication",
                "security": [{ "bearer": [] }],
                "parameters": [receipt],
                "responses": {
                    "200": { "description": "The application", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IntegrationApplication" } } } },
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
                    "200": { "description": "The file, with Content-Disposition: attachment" },
                    "401": error_response("No valid token"),
                    "404": error_response("No such application or attachment")
                }
            }},
            "/api/v1/integration/applications/{receipt}/status": { "post": {
                "summary": "Write a processing result back",
                "operationId": "writeStatus",
                "description": "Takes the same action staff would: accept, request_correction (with fields and message), approve, reject (with message), complete, or note. The resident sees the new status; webhooks fire.",
                "security": [{ "bearer": [] }],
                "parameters": [receipt],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["action"], "additionalProperties": false, "properties": {
                    "action": { "enum": ["accept", "request_correction", "approve", "reject", "complete", "note"] },
                    "message": { "type": "string" },
                    "fields": { "type": "array", "items": { "type": "string" } }
                }}}}},
                "responses": {
                    "200": { "description": "Done", "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "receipt_number": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" }, "change_seq": { "type": "integer" }
                    }}}}},
                    "401": error_response("No valid token"),
                    "404": error_response("No such application in this department"),
                    "409": error_response("Not allowed in the current status (code not_allowed)"),
                    "422": error_response("A message or fields are missing (code bad_request)")
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
            }}
        },
        "components": {
          "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "A department's API token (mdg_…), issued in the back office." } },
          "schemas": {
            "Localized": { "type": "object", "required": ["ja"], "properties": { "ja": { "type": "string" }, "en": { "type": "string" } } },
            "Catalog": { "type": "object", "properties": {
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
            "CreateApplication": { "type": "object", "required": ["procedure_id", "answers"], "additionalProperties": false, "properties": {
                "procedure_id": { "type": "string" },
                "answers": { "type": "object", "description": "Must satisfy the procedure's answers_schema" }
            }},
            "Receipt": { "type": "object", "required": ["id", "receipt_number", "access_code", "status"], "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" }, "access_code": { "type": "string" },
                "status": { "$ref": "#/components/schemas/Status" }, "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }
            }},
            "Status": { "type": "string", "enum": ["submitted", "accepted", "correction_requested", "resubmitted", "approved", "rejected", "completed", "withdrawn"] },
            "IntegrationApplication": { "type": "object", "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" },
                "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" }, "department_id": { "type": "string" },
                "status": { "$ref": "#/components/schemas/Status" }, "channel": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
                "change_seq": { "type": "integer", "description": "Position in the change feed" },
                "correction": { "description": "The open correction request, if any" },
                "answers": { "type": "object", "description": "As in the procedure's answers_schema; 個人番号 whole" },
                "attachments": { "type": "array", "items": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "size": { "type": "integer" }, "content_type": { "type": "string" }, "href": { "type": "string" }
                }}},
                "history": { "type": "array", "items": { "type": "object" } }
            }},
            "ApplicationStatus": { "type": "object", "properties": {
                "id": { "type": "string", "format": "uuid" }, "receipt_number": { "type": "string" }, "status": { "$ref": "#/components/schemas/Status" },
                "procedure_id": { "type": "string" }, "procedure_version": { "type": "string" },
                "submitted_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
                "answers": { "type": "object" },
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
            "Attachment": { "type": "object", "properties": {
                "attachment": { "type": "string", "pattern": "^[0-9a-f]{64}$" }, "size": { "type": "integer" }, "content_type": { "type": "string" }
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
