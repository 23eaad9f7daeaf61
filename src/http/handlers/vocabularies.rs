//! Vocabularies: the codes of every enumeration with Vietnamese and English labels.

use actix_web::get;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::domain::vocab::{self, Term};
use crate::error::{ApiError, ApiResult};
use crate::http::openapi::ReadErrors;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get);
}

/// The name of a vocabulary: one of those `vocab::all` publishes.
pub struct VocabularyName;

impl utoipa::PartialSchema for VocabularyName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(vocab::all().into_iter().map(|(name, _)| name)))
            .description(Some("Name of a vocabulary"))
            .into()
    }
}

impl ToSchema for VocabularyName {}

/// A named vocabulary.
#[derive(Serialize, ToSchema)]
pub struct Vocabulary {
    /// Name, e.g. `role`, `unit_type`.
    #[schema(value_type = VocabularyName)]
    pub name: &'static str,
    /// Its terms.
    pub terms: Vec<Term>,
}

/// All vocabularies.
#[derive(Serialize, ToSchema)]
pub struct VocabularyList {
    /// Every vocabulary.
    pub items: Vec<Vocabulary>,
}

/// List vocabularies
///
/// Every enumeration used by the API, with each code's Vietnamese and English label. Codes
/// never change; labels may.
#[utoipa::path(tag = "vocabularies",
    responses((status = 200, description = "All vocabularies", body = VocabularyList), ReadErrors))]
#[get("/vocabularies")]
pub async fn list(_caller: Caller) -> HttpResponse {
    let items = vocab::all()
        .into_iter()
        .map(|(name, terms)| Vocabulary { name, terms })
        .collect();
    HttpResponse::Ok().json(VocabularyList { items })
}

/// Get a vocabulary
///
/// One enumeration's codes and labels.
#[utoipa::path(tag = "vocabularies",
    params(("name" = VocabularyName, Path, description = "Vocabulary name, e.g. `role`")),
    responses((status = 200, description = "The vocabulary", body = Vocabulary), ReadErrors))]
#[get("/vocabularies/{name}")]
pub async fn get(_caller: Caller, name: web::Path<String>) -> ApiResult<HttpResponse> {
    vocab::all()
        .into_iter()
        .find(|(n, _)| *n == name.as_str())
        .map(|(name, terms)| HttpResponse::Ok().json(Vocabulary { name, terms }))
        .ok_or_else(ApiError::not_found)
}
