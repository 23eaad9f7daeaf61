//! The field rules of a request body (the `validator` derive) as violations with JSON paths
//! and bilingual messages: one reading for a whole body (`http::extract`) and for each item of
//! a batch (`app::batch`).

use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::domain::Violation;

/// The stable code of a rule (an unknown one reads `invalid`).
fn code(c: &str) -> &'static str {
    match c {
        "length" => "length",
        "range" => "range",
        "email" => "email",
        "url" => "url",
        "required" => "required",
        "code_format" => "code_format",
        "control_characters" => "control_characters",
        "username_format" => "username_format",
        "subject_format" => "subject_format",
        _ => "invalid",
    }
}

/// The English and Vietnamese messages of one broken rule: its own message, else one made from
/// its bounds.
fn messages(e: &ValidationError) -> (String, String) {
    let bound = |name: &str| e.params.get(name).map(|v| v.to_string());
    let (min, max) = (bound("min"), bound("max"));
    let own = e.message.as_ref().map(|m| m.to_string());
    match (e.code.as_ref(), min, max) {
        ("length", Some(min), Some(max)) => (
            own.unwrap_or_else(|| format!("length must be from {min} to {max}")),
            format!("độ dài phải từ {min} đến {max}"),
        ),
        ("length", None, Some(max)) => (
            own.unwrap_or_else(|| format!("length must be at most {max}")),
            format!("độ dài tối đa là {max}"),
        ),
        ("length", Some(min), None) => (
            own.unwrap_or_else(|| format!("length must be at least {min}")),
            format!("độ dài tối thiểu là {min}"),
        ),
        ("range", Some(min), Some(max)) => (
            own.unwrap_or_else(|| format!("must be from {min} to {max}")),
            format!("giá trị phải từ {min} đến {max}"),
        ),
        ("range", _, _) => (
            own.unwrap_or_else(|| "out of the allowed range".into()),
            "giá trị nằm ngoài phạm vi cho phép".into(),
        ),
        ("email", _, _) => (
            own.unwrap_or_else(|| "not an e-mail address".into()),
            "địa chỉ thư điện tử không hợp lệ".into(),
        ),
        (c, _, _) => {
            let en = own.unwrap_or_else(|| c.to_string());
            (en.clone(), en)
        }
    }
}

/// Every broken rule of `errors`, with its JSON path (`reports[2].content.narrative`), sorted.
pub fn violations(errors: &ValidationErrors) -> Vec<Violation> {
    fn walk(prefix: &str, errors: &ValidationErrors, out: &mut Vec<Violation>) {
        for (field, kind) in errors.errors() {
            let path = if prefix.is_empty() {
                field.to_string()
            } else {
                format!("{prefix}.{field}")
            };
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let (en, vi) = messages(e);
                        out.push(Violation::new(path.clone(), code(&e.code), en, vi));
                    }
                }
                ValidationErrorsKind::Struct(inner) => walk(&path, inner, out),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{path}[{i}]"), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out.sort_by(|a, b| (&a.field, a.code).cmp(&(&b.field, b.code)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::Validate;

    #[derive(Validate)]
    struct Inner {
        #[validate(length(max = 3))]
        code: String,
    }

    #[derive(Validate)]
    struct Body {
        #[validate(length(min = 1, max = 5))]
        title: String,
        #[validate(range(min = 0.0, max = 1.0))]
        share: f64,
        #[validate(nested)]
        items: Vec<Inner>,
    }

    #[test]
    fn rules_read_with_paths_and_their_bounds() {
        let body = Body {
            title: String::new(),
            share: 2.0,
            items: vec![
                Inner { code: "ok".into() },
                Inner {
                    code: "too long".into(),
                },
            ],
        };
        let found: Vec<(String, &str, String, String)> = violations(&body.validate().unwrap_err())
            .into_iter()
            .map(|v| (v.field, v.code, v.message_en, v.message_vi))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "items[1].code".to_string(),
                    "length",
                    "length must be at most 3".to_string(),
                    "độ dài tối đa là 3".to_string()
                ),
                (
                    "share".into(),
                    "range",
                    "must be from 0.0 to 1.0".into(),
                    "giá trị phải từ 0.0 đến 1.0".into()
                ),
                (
                    "title".into(),
                    "length",
                    "length must be from 1 to 5".into(),
                    "độ dài phải từ 1 đến 5".into()
                ),
            ]
        );
    }
}
