//! The one error type of the API, rendered as RFC 9457 `application/problem+json` in the
//! caller's language (`Accept-Language: vi` or English).

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violation;

tokio::task_local! {
    /// Whether the current request prefers Vietnamese.
    pub static VIETNAMESE: bool;
}

/// Whether the current request prefers Vietnamese.
pub(crate) fn vietnamese() -> bool {
    VIETNAMESE.try_with(|v| *v).unwrap_or(false)
}

/// A message in both working languages.
#[derive(Debug, Clone)]
pub struct Msg {
    en: String,
    vi: String,
}

impl Msg {
    /// A message given in English and Vietnamese.
    pub fn new(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            vi: vi.into(),
        }
    }

    fn pick(&self, vietnamese: bool) -> &str {
        if vietnamese {
            &self.vi
        } else {
            &self.en
        }
    }
}

/// Declares the kinds of problem: the one list the errors are built from and the contract
/// enumerates (`Problem.type`).
macro_rules! problem_kinds {
    ($($variant:ident => ($code:literal, $status:literal, $meaning:literal)),+ $(,)?) => {
        /// The kind of a problem, named on the wire by `urn:cadre-api:problem:<code>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ProblemKind { $($variant),+ }

        impl ProblemKind {
            /// Every kind, in the order the contract lists them.
            pub const ALL: &'static [ProblemKind] = &[$(ProblemKind::$variant),+];

            /// The stable code (`validation`), the last segment of the type URI.
            pub fn code(self) -> &'static str {
                match self { $(ProblemKind::$variant => $code),+ }
            }

            /// The HTTP status a problem of this kind is answered with.
            pub fn status(self) -> u16 {
                match self { $(ProblemKind::$variant => $status),+ }
            }

            /// What a problem of this kind means, for the contract.
            pub fn meaning(self) -> &'static str {
                match self { $(ProblemKind::$variant => $meaning),+ }
            }
        }
    };
}

problem_kinds! {
    BadRequest => ("bad_request", 400, "The request or its query cannot be read (malformed JSON, a bad parameter)."),
    InvalidGrant => ("invalid_grant", 400, "The token endpoint refuses the grant: a refresh token unknown, expired, revoked or already used (OAuth 2.0 `error` says the same)."),
    Unauthorized => ("unauthorized", 401, "No bearer token, or it is invalid or expired; also wrong credentials at the token endpoint."),
    Forbidden => ("forbidden", 403, "The caller's role bindings do not allow this action on this object."),
    NotFound => ("not_found", 404, "No such resource, or it is outside the caller's scope."),
    MethodNotAllowed => ("method_not_allowed", 405, "The path exists but not with this method (see `Allow`)."),
    Withdrawn => ("withdrawn", 410, "The publication was withdrawn on purpose; `detail` says when and why."),
    Conflict => ("conflict", 409, "The current state forbids the change (a workflow step out of order, a duplicate code, a concurrent change)."),
    StaleVersion => ("stale_version", 412, "`If-Match` names an older version: read the resource again and retry with its new ETag."),
    PayloadTooLarge => ("payload_too_large", 413, "The request body or the uploaded file is too large."),
    UnsupportedMediaType => ("unsupported_media_type", 415, "The body's `Content-Type` is not the one the operation reads."),
    UnsupportedFileType => ("unsupported_file_type", 415, "The uploaded file's content is not of an accepted type."),
    Validation => ("validation", 422, "Well-formed, but breaks a rule; `errors` names each field and rule."),
    IfMatchRequired => ("if_match_required", 428, "The operation needs `If-Match` with the ETag last read."),
    RateLimited => ("rate_limited", 429, "Too many failed sign-ins, or too many anonymous reads from one address; wait `Retry-After` seconds."),
    Internal => ("internal", 500, "An unexpected error; it is logged, and nothing of its cause is shown."),
    Unavailable => ("unavailable", 503, "The database is unreachable; retry after `Retry-After` seconds."),
    StoreUnavailable => ("store_unavailable", 503, "The evidence file store is unreachable; retry later."),
    Timeout => ("timeout", 503, "The request took too long and was abandoned; retry later."),
}

/// The prefix of every problem type URI.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:cadre-api:problem:";

impl ProblemKind {
    /// The problem type URI, `urn:cadre-api:problem:<code>`.
    pub fn uri(self) -> String {
        format!("{PROBLEM_TYPE_PREFIX}{}", self.code())
    }
}

impl Serialize for ProblemKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.uri())
    }
}

impl utoipa::PartialSchema for ProblemKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let table: String = Self::ALL
            .iter()
            .map(|k| format!("\n- `{}` ({}): {}", k.uri(), k.status(), k.meaning()))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Self::ALL.iter().map(|k| k.uri())))
            .description(Some(format!(
                "URI naming the kind of problem; clients branch on it, never on `title`.{table}"
            )))
            .into()
    }
}

impl ToSchema for ProblemKind {
    fn name() -> std::borrow::Cow<'static, str> {
        "ProblemType".into()
    }
}

/// A rule broken by one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `name` or `bindings[0].unit_id`.
    pub field: String,
    /// Stable code of the rule, e.g. `length`, `required`, `unknown_unit`.
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
}

/// Problem details (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// The kind of problem.
    #[serde(rename = "type")]
    pub type_: ProblemKind,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Per-field validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// OAuth 2.0 error code (RFC 6749 §5.2: `invalid_request`, `invalid_client`,
    /// `invalid_grant`), for OAuth 2.0 client libraries; only in answers of the token and
    /// revocation endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "invalid_grant")]
    pub error: Option<String>,
}

/// An error answered to the client; anything internal is logged, never shown.
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    kind: ProblemKind,
    title: Msg,
    detail: Option<Msg>,
    errors: Vec<(String, String, Msg)>,
    headers: Vec<(HeaderName, String)>,
    oauth_error: Option<&'static str>,
    vietnamese: bool,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.title.en)?;
        if let Some(d) = &self.0.detail {
            write!(f, ": {}", d.en)?;
        }
        for (field, _, msg) in &self.0.errors {
            write!(f, "; {field}: {}", msg.en)?;
        }
        Ok(())
    }
}

impl ApiError {
    /// An error of `kind` (which gives its status) with a bilingual title.
    pub fn new(kind: ProblemKind, title: Msg) -> Self {
        Self(Box::new(Inner {
            status: StatusCode::from_u16(kind.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            kind,
            title,
            detail: None,
            errors: Vec::new(),
            headers: Vec::new(),
            oauth_error: None,
            vietnamese: vietnamese(),
        }))
    }

    /// Adds a bilingual detail.
    pub fn detail(mut self, en: impl Into<String>, vi: impl Into<String>) -> Self {
        self.0.detail = Some(Msg::new(en, vi));
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.0.headers.push((name, value.into()));
        self
    }

    /// Adds one field error.
    pub fn field(
        mut self,
        field: impl Into<String>,
        code: impl Into<String>,
        message: Msg,
    ) -> Self {
        self.0.errors.push((field.into(), code.into(), message));
        self
    }

    /// Adds the OAuth 2.0 error code (RFC 6749 §5.2) that OAuth 2.0 clients read.
    pub fn oauth(mut self, code: &'static str) -> Self {
        self.0.oauth_error = Some(code);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// 400: the request cannot be read.
    pub fn bad_request(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(
            ProblemKind::BadRequest,
            Msg::new("Malformed request", "Yêu cầu không hợp lệ"),
        )
        .detail(en, vi)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(
            ProblemKind::Unauthorized,
            Msg::new("Authentication required", "Chưa xác thực"),
        )
        .detail(en, vi)
        .header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"cadre-api\", error=\"invalid_token\"",
        )
    }

    /// 401 for a bearer token refused for any reason (signature, expiry, a session ended, a
    /// disabled account…): the answer never says which check failed; the reason is logged.
    pub fn invalid_token() -> Self {
        Self::unauthorized("invalid token", "mã truy cập không hợp lệ")
    }

    /// 400 `invalid_grant` (RFC 6749 §5.2): a refresh token that is unknown, expired, revoked
    /// or already used.
    pub fn invalid_grant(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(
            ProblemKind::InvalidGrant,
            Msg::new("Invalid grant", "Yêu cầu cấp quyền không hợp lệ"),
        )
        .detail(en, vi)
        .oauth("invalid_grant")
    }

    /// 403: authenticated, but the role does not allow this.
    pub fn forbidden() -> Self {
        Self::new(
            ProblemKind::Forbidden,
            Msg::new("Forbidden", "Không có quyền"),
        )
        .detail(
            "your role bindings do not allow this action on this object",
            "vai trò được phân công không cho phép thao tác này trên đối tượng này",
        )
    }

    /// 404: unknown, or invisible to the caller.
    pub fn not_found() -> Self {
        Self::new(
            ProblemKind::NotFound,
            Msg::new("Not found", "Không tìm thấy"),
        )
        .detail(
            "no such resource, or it is outside your scope",
            "không có đối tượng này, hoặc đối tượng nằm ngoài phạm vi của bạn",
        )
    }

    /// 409: the current state forbids the change.
    pub fn conflict(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(
            ProblemKind::Conflict,
            Msg::new("Conflict", "Xung đột trạng thái"),
        )
        .detail(en, vi)
    }

    /// 412: the `If-Match` version is stale.
    pub fn precondition_failed() -> Self {
        Self::new(
            ProblemKind::StaleVersion,
            Msg::new("Precondition failed", "Phiên bản đã thay đổi"),
        )
        .detail(
            "the resource changed since you read it; read it again and retry with its new ETag",
            "đối tượng đã được thay đổi; hãy đọc lại và gửi lại với ETag mới",
        )
    }

    /// 428: `If-Match` is required.
    pub fn precondition_required() -> Self {
        Self::new(
            ProblemKind::IfMatchRequired,
            Msg::new("Precondition required", "Thiếu điều kiện If-Match"),
        )
        .detail(
            "send If-Match with the ETag you last read",
            "hãy gửi tiêu đề If-Match với ETag đã đọc gần nhất",
        )
    }

    /// 422: well-formed, but breaks a rule.
    pub fn unprocessable(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(
            ProblemKind::Validation,
            Msg::new("The request breaks a rule", "Dữ liệu không hợp lệ"),
        )
        .detail(en, vi)
    }

    /// 422: a field names an object that does not exist (or that the caller cannot see).
    pub fn unknown(field: &str, what: &str) -> Self {
        Self::unprocessable(
            format!("unknown {what}"),
            "đối tượng tham chiếu không tồn tại",
        )
        .field(
            field,
            "unknown_reference",
            Msg::new(format!("no such {what}"), "không tồn tại"),
        )
    }

    /// 422 listing domain rule violations.
    pub fn violations(violations: Vec<Violation>) -> Self {
        violations.into_iter().fold(
            Self::unprocessable("see errors for each field", "xem chi tiết lỗi từng trường"),
            |e, v| e.field(v.field, v.code, Msg::new(v.message_en, v.message_vi)),
        )
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::new(
            ProblemKind::RateLimited,
            Msg::new("Too many requests", "Quá nhiều yêu cầu"),
        )
        .detail(
            "too many failed attempts; wait before trying again",
            "quá nhiều lần thử không thành công; hãy chờ rồi thử lại",
        )
        .header(header::RETRY_AFTER, retry_after_secs.to_string())
    }

    /// 410: the resource was there and was taken down on purpose.
    pub fn gone(title: Msg) -> Self {
        Self::new(ProblemKind::Withdrawn, title)
    }

    /// 503: a dependency is down.
    pub fn unavailable() -> Self {
        Self::new(
            ProblemKind::Unavailable,
            Msg::new("Service unavailable", "Dịch vụ tạm thời không sẵn sàng"),
        )
        .detail(
            "the database is unreachable; retry later",
            "không kết nối được cơ sở dữ liệu; hãy thử lại sau",
        )
        .header(header::RETRY_AFTER, "5")
    }

    /// 500: logs the cause and shows nothing of it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ProblemKind::Internal,
            Msg::new("Internal error", "Lỗi hệ thống"),
        )
    }

    fn problem(&self) -> Problem {
        Problem {
            type_: self.0.kind,
            title: self.0.title.pick(self.0.vietnamese).to_owned(),
            status: self.0.status.as_u16(),
            detail: self
                .0
                .detail
                .as_ref()
                .map(|d| d.pick(self.0.vietnamese).to_owned()),
            errors: self
                .0
                .errors
                .iter()
                .map(|(f, c, m)| FieldError {
                    field: f.clone(),
                    code: c.clone(),
                    message: m.pick(self.0.vietnamese).to_owned(),
                })
                .collect(),
            error: self.0.oauth_error.map(str::to_owned),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.0.status);
        res.content_type("application/problem+json");
        if self.0.vietnamese {
            res.insert_header((header::CONTENT_LANGUAGE, "vi"));
        }
        // A problem raised by a middleware never reaches `http::headers` as a response, so it
        // carries the headers of every answer itself (and is never stored by a cache).
        for (name, value) in PROBLEM_HEADERS {
            res.insert_header((name, value));
        }
        for (name, value) in &self.0.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                res.insert_header((name.clone(), v));
            }
        }
        res.json(self.problem())
    }
}

/// The headers of every problem answer: those `http::headers` gives every answer, and
/// `Cache-Control: no-store` (unless the error sets its own, as a withdrawn publication does).
pub const PROBLEM_HEADERS: [(header::HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::CACHE_CONTROL, "no-store"),
];

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error};
        match &e {
            Error::NotFound => Self::not_found(),
            Error::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default();
                match (kind, constraint) {
                    (_, "posts_one_head") => Self::conflict(
                        "the unit already has a head during that period",
                        "đơn vị đã có người đứng đầu trong thời gian này",
                    ),
                    (_, "org_units_code_no_overlap") => Self::conflict(
                        "another unit holds this code during that period",
                        "mã đơn vị đã được dùng cho đơn vị khác trong thời gian này",
                    ),
                    (_, "org_unit_parents_one_parent") => Self::conflict(
                        "the unit already has a parent during that period",
                        "đơn vị đã có đơn vị cấp trên trong thời gian này",
                    ),
                    (K::UniqueViolation, _) => Self::conflict(
                        "a resource with the same unique code already exists",
                        "đã tồn tại đối tượng có cùng mã",
                    ),
                    (K::ForeignKeyViolation, _) => Self::unprocessable(
                        "a referenced resource does not exist or is still referenced",
                        "đối tượng tham chiếu không tồn tại hoặc vẫn đang được tham chiếu",
                    ),
                    (K::CheckViolation, _) => Self::unprocessable(
                        "a value is out of its allowed range",
                        "giá trị nằm ngoài phạm vi cho phép",
                    ),
                    (K::SerializationFailure, _) => Self::conflict(
                        "a concurrent change interfered; retry",
                        "có thay đổi đồng thời; hãy thử lại",
                    ),
                    (K::ClosedConnection, _) => Self::unavailable(),
                    _ => Self::internal(&e),
                }
            }
            _ => Self::internal(&e),
        }
    }
}

impl ApiError {
    /// A delete refused by a foreign key becomes 409: the object is still in use.
    pub fn still_referenced(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::conflict(
                "the resource is still referenced by other records",
                "đối tượng vẫn đang được các bản ghi khác tham chiếu",
            ),
            other => other.into(),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        Self::unavailable()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::internal(format!("{e:#}"))
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<crate::domain::workflow::TransitionError> for ApiError {
    fn from(e: crate::domain::workflow::TransitionError) -> Self {
        ApiError::conflict(e.to_string(), e.message_vi())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_kinds_have_distinct_codes_and_real_statuses() {
        let mut codes: Vec<_> = ProblemKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ProblemKind::ALL.len());
        for k in ProblemKind::ALL {
            let status = StatusCode::from_u16(k.status()).map(|s| s.as_u16()).ok();
            assert_eq!(status, Some(k.status()), "{k:?}");
            assert!(k.status() >= 400, "{k:?}");
        }
    }

    #[test]
    fn a_problem_serializes_its_type_uri() {
        let e = ApiError::new(ProblemKind::StaleVersion, Msg::new("a", "b"));
        assert_eq!(e.status(), StatusCode::PRECONDITION_FAILED);
        let json = serde_json::to_value(e.problem()).unwrap_or_default();
        assert_eq!(json["type"], "urn:cadre-api:problem:stale_version");
        assert_eq!(json["status"], 412);
    }
}
