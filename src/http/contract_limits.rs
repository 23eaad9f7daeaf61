//! The contract states the field rules the validator enforces, and the validator enforces the
//! ones the contract states: for every JSON request body, a valid body is built from its
//! schema, then each field is probed just inside and just outside each documented limit
//! (`minLength`/`maxLength`, `minItems`/`maxItems`, `minimum`/`maximum`, `pattern`) and far
//! beyond where none is documented, through the same `serde` + `validator` reading the
//! handlers use. A limit written on one side only fails here.

use std::collections::BTreeMap;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use validator::Validate;

use crate::app;

/// Reads a body as a handler does: `Ok`, or the JSON paths of the broken rules.
type Check = fn(Value) -> Result<(), Vec<String>>;

fn check<T: DeserializeOwned + Validate>(v: Value) -> Result<(), Vec<String>> {
    let body: T = serde_json::from_value(v).map_err(|e| vec![format!("<serde> {e}")])?;
    body.validate().map_err(|e| {
        app::validation::violations(&e)
            .into_iter()
            .map(|v| v.field)
            .collect()
    })
}

/// A batch of fed values: too many rows is refused whole, a row that breaks a rule is refused
/// alone (`rejected`, `invalid`), both by `app::feeds`.
fn observations(v: Value) -> Result<(), Vec<String>> {
    let batch: app::feeds::ObservationBatch =
        serde_json::from_value(v).map_err(|e| vec![format!("<serde> {e}")])?;
    let mut out = Vec::new();
    if batch.observations.len() > app::feeds::MAX_ROWS {
        out.push("observations".to_owned());
    }
    for (i, row) in batch.observations.iter().enumerate() {
        if let Err(e) = row.validate() {
            for v in app::validation::violations(&e) {
                out.push(format!("observations[{i}].{}", v.field));
            }
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// A batch: the body's own rules refuse it whole; each item's rules refuse that item alone
/// (`app::batch`, the same rules as the single endpoint), reported under `collection[i]`.
fn batch<B, I>(v: Value, collection: &str) -> Result<(), Vec<String>>
where
    B: DeserializeOwned + Validate,
    I: DeserializeOwned + Validate,
{
    let items = v[collection].as_array().cloned().unwrap_or_default();
    let mut out = match check::<B>(v) {
        Ok(()) => Vec::new(),
        Err(e) => e,
    };
    for (i, item) in items.into_iter().enumerate() {
        if let Err(e) = check::<I>(item) {
            out.extend(e.into_iter().map(|f| format!("{collection}[{i}].{f}")));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

macro_rules! registry {
    ($($ty:ty),+ $(,)?) => {{
        let mut m: BTreeMap<String, Check> = BTreeMap::new();
        $(m.insert(<$ty as utoipa::ToSchema>::name().into_owned(), check::<$ty> as Check);)+
        m
    }};
}

/// Every JSON request body, by its schema name.
fn bodies() -> BTreeMap<String, Check> {
    use app::*;
    let mut m = registry!(
        accounts::AccountPatch,
        accounts::NewAccount,
        accounts::NewSecret,
        amendments::AmendmentDecision,
        amendments::NewAmendment,
        accountables::Positions,
        assignments::AssignmentPatch,
        assignments::CarryOver,
        assignments::NewAssignment,
        assignments::Withdrawal,
        bindings::NewBinding,
        cadres::CadrePatch,
        cadres::NewCadre,
        commitments::NewCommitment,
        commitments::NewDelegation,
        consequences::NewConsequence,
        evaluations::Appraisal,
        evaluations::Decision,
        evaluations::Override,
        evaluations::ReturnComment,
        evaluations::SelfAssessment,
        evidence::NewEvidence,
        evidence::NewMark,
        evidence::Retraction,
        feeds::LicenceEnd,
        feeds::NewLicence,
        findings::NewFinding,
        groups::GroupPatch,
        groups::NewGroup,
        groups::NewMember,
        levels::LevelPatch,
        levels::NewLevel,
        locking::Reopen,
        person_evaluations::PersonAppraisal,
        person_evaluations::PersonReassessment,
        person_evaluations::PersonSelfAssessment,
        plans::PlanContent,
        posts::EndPost,
        posts::NewPost,
        posts::PostPatch,
        reports::ReportContent,
        reports::ReportReview,
        restructurings::MergeRequest,
        restructurings::SplitRequest,
        rounds::IssueRound,
        rounds::NewRound,
        rounds::NewSpotCheck,
        rounds::RoundPatch,
        supervision::NewObstacle,
        supervision::NewOpinion,
        supervision::ObstacleNote,
        units::CloseUnit,
        units::MoveUnit,
        units::NewUnit,
        units::UnitPatch,
        crate::http::handlers::plans::Review,
        publications::ReasonBody,
        webhooks::NewSubscription,
        webhooks::SubscriptionPatch,
    );
    m.insert("ObservationBatch".into(), observations as Check);
    macro_rules! batches {
        ($($body:ty => ($item:ty, $collection:literal)),+ $(,)?) => {
            $(m.insert(
                <$body as utoipa::ToSchema>::name().into_owned(),
                (|v| batch::<$body, $item>(v, $collection)) as Check,
            );)+
        };
    }
    batches!(
        assignments::NewAssignments => (assignments::NewAssignment, "assignments"),
        history::PastEvaluations => (history::PastEvaluation, "evaluations"),
        history::PastReports => (history::PastReport, "reports"),
        reports::ReportAcceptances => (reports::ReportAcceptance, "reports"),
        reports::ReportSubmissions => (reports::ReportSubmission, "reports"),
    );
    m
}

/// Bodies read by other means, and why they are not probed here.
const ELSEWHERE: &[&str] = &[
    // A form (`application/x-www-form-urlencoded`), read and checked by the token endpoint.
    "TokenRequest",
    "TokenForm",
    "RevokeForm",
    // Grading rules as data: `domain::grading::RuleSet::validate` checks their consistency
    // (bands in order, shares within 0..1) and answers 422 with each violation.
    "RuleSet",
];

struct Probe<'a> {
    doc: &'a Value,
}

impl<'a> Probe<'a> {
    fn resolve(&self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/components/schemas/");
                self.resolve(&self.doc["components"]["schemas"][name])
            }
            None => s,
        }
    }

    /// The schema without its `null` alternative.
    fn concrete(&self, s: &'a Value) -> &'a Value {
        let s = self.resolve(s);
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = s.get(key).and_then(Value::as_array) {
                if let Some(alt) = alts.iter().find(|a| a.get("type") != Some(&json!("null"))) {
                    return self.concrete(alt);
                }
            }
        }
        s
    }

    fn kind(s: &Value) -> Option<&str> {
        match s.get("type") {
            Some(Value::String(t)) => Some(t),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        }
    }

    /// A valid value of `s`, every optional field given, every list with at least one item.
    fn sample(&self, s: &'a Value) -> Value {
        let s = self.concrete(s);
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let mut out = Map::new();
            for part in all {
                if let Value::Object(o) = self.sample(part) {
                    out.extend(o);
                }
            }
            return Value::Object(out);
        }
        if let Some(first) = s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        match Self::kind(s) {
            Some("object") => {
                let mut out = Map::new();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (k, p) in props {
                        out.insert(k.clone(), self.sample(p));
                    }
                }
                Value::Object(out)
            }
            Some("array") => {
                let n = s["minItems"].as_u64().unwrap_or(1).max(1);
                let item = self.sample(&s["items"]);
                Value::Array((0..n).map(|_| item.clone()).collect())
            }
            Some("string") => match s.get("format").and_then(Value::as_str) {
                Some("uuid") => json!("0190c1e2-0000-7000-8000-000000000001"),
                Some("date") => json!("2024-01-01"),
                Some("date-time") => json!("2024-01-01T00:00:00Z"),
                Some("email") => json!("a@example.org"),
                _ => Value::String(text(s, s["minLength"].as_u64().unwrap_or(1).max(1))),
            },
            Some("integer") => json!(s["minimum"].as_i64().unwrap_or(0).max(1)),
            Some("number") => {
                let min = s["minimum"]
                    .as_f64()
                    .or(s["exclusiveMinimum"].as_f64().map(|m| m + 0.5));
                json!(min.unwrap_or(1.0))
            }
            Some("boolean") => json!(false),
            _ => json!({}),
        }
    }
}

/// A text of `n` characters the field's pattern accepts.
fn text(s: &Value, n: u64) -> String {
    let n = n as usize;
    match s.get("pattern").and_then(Value::as_str) {
        Some(p) if p.starts_with("^[A-Za-z0-9]") || p.starts_with("^[a-z0-9") => "a".repeat(n),
        _ => "ả".repeat(n),
    }
}

/// Sets the value at `path` (object keys and array indices) of `root`.
fn put(root: &mut Value, path: &[PathStep], v: Value) {
    let mut at = root;
    for step in path {
        at = match step {
            PathStep::Key(k) => &mut at[k.as_str()],
            PathStep::Index(i) => &mut at[*i],
        };
    }
    *at = v;
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn render(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Key(k) if out.is_empty() => out.push_str(k),
            PathStep::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

struct Finding {
    body: String,
    field: String,
    what: String,
}

impl<'a> Probe<'a> {
    /// Probes every field under `s` (at `path` in `base`), recording disagreements.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        body: &str,
        check: Check,
        base: &Value,
        path: Vec<PathStep>,
        s: &'a Value,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        if depth > 6 {
            return;
        }
        let s = self.concrete(s);
        let parts: Vec<&Value> = match s.get("allOf").and_then(Value::as_array) {
            Some(all) => all.iter().map(|p| self.concrete(p)).collect(),
            None => vec![s],
        };
        for part in parts {
            match Self::kind(part) {
                Some("object") => {
                    if let Some(props) = part.get("properties").and_then(Value::as_object) {
                        for (k, p) in props {
                            let mut sub = path.clone();
                            sub.push(PathStep::Key(k.clone()));
                            self.field(body, check, base, &sub, p, out);
                            self.walk(body, check, base, sub, p, out, depth + 1);
                        }
                    }
                }
                Some("array") => {
                    let mut sub = path.clone();
                    sub.push(PathStep::Index(0));
                    self.walk(body, check, base, sub, &part["items"], out, depth + 1);
                }
                _ => {}
            }
        }
    }

    /// Probes one field's own limits.
    fn field(
        &self,
        body: &str,
        check: Check,
        base: &Value,
        path: &[PathStep],
        s: &'a Value,
        out: &mut Vec<Finding>,
    ) {
        let s = self.concrete(s);
        let field = render(path);
        let try_ = |v: Value| {
            let mut b = base.clone();
            put(&mut b, path, v);
            match check(b) {
                Ok(()) => Ok(()),
                Err(fields) => Err(fields),
            }
        };
        let mut expect = |v: Value, ok: bool, what: String| {
            let got = try_(v);
            let refused_here = matches!(&got, Err(f) if f.contains(&field));
            let fine = if ok { got.is_ok() } else { refused_here };
            if !fine {
                out.push(Finding {
                    body: body.to_owned(),
                    field: field.clone(),
                    what: format!("{what}: {got:?}"),
                });
            }
        };
        match Self::kind(s) {
            Some("string") if s.get("enum").is_none() && s.get("format").is_none() => {
                let min = s["minLength"].as_u64();
                let max = s["maxLength"].as_u64();
                match max {
                    Some(m) => {
                        expect(json!(text(s, m)), true, format!("maxLength {m}: {m} chars"));
                        expect(
                            json!(text(s, m + 1)),
                            false,
                            format!("maxLength {m}: {} chars", m + 1),
                        );
                    }
                    None => expect(
                        json!(text(s, 100_000)),
                        true,
                        "no maxLength: 100000 chars".into(),
                    ),
                }
                match min {
                    Some(m) if m > 0 => {
                        expect(json!(text(s, m)), true, format!("minLength {m}: {m} chars"));
                        expect(
                            json!(text(s, m - 1)),
                            false,
                            format!("minLength {m}: {} chars", m - 1),
                        );
                    }
                    _ => expect(json!(""), true, "no minLength: empty".into()),
                }
                let pattern = s.get("pattern").and_then(Value::as_str);
                let re = pattern.map(|p| Regex::new(p).map_err(|e| e.to_string()));
                // Each probe character in a text of a length the field accepts.
                let len = min.unwrap_or(3).max(3).min(max.unwrap_or(3)) as usize;
                for probe in [
                    "a", "Z", "9", "_", "-", ".", " ", "ệ", "\n", "\t", "\u{7}", "\u{85}",
                    "\u{a0}", "\u{3000}", "/", "@",
                ] {
                    let v = format!("a{probe}{}", "a".repeat(len.saturating_sub(2)));
                    let says = match &re {
                        None => true,
                        Some(Ok(re)) => re.is_match(&v),
                        Some(Err(e)) => {
                            out.push(Finding {
                                body: body.into(),
                                field: field.clone(),
                                what: format!("pattern does not compile: {e}"),
                            });
                            return;
                        }
                    };
                    expect(json!(v), says, format!("pattern {pattern:?} on {v:?}"));
                }
            }
            Some("integer") | Some("number") => {
                let int = Self::kind(s) == Some("integer");
                let step = if int { 1.0 } else { 0.001 };
                let num = |x: f64| if int { json!(x as i64) } else { json!(x) };
                match s["maximum"].as_f64() {
                    Some(m) => {
                        expect(num(m), true, format!("maximum {m}"));
                        expect(num(m + step), false, format!("maximum {m}: above"));
                    }
                    None => expect(
                        num(if int { 1_000_000.0 } else { 1e9 }),
                        true,
                        "no maximum: large".into(),
                    ),
                }
                match (s["minimum"].as_f64(), s["exclusiveMinimum"].as_f64()) {
                    (Some(m), _) => {
                        expect(num(m), true, format!("minimum {m}"));
                        expect(num(m - step), false, format!("minimum {m}: below"));
                    }
                    (None, Some(m)) => {
                        expect(num(m + step), true, format!("exclusiveMinimum {m}: above"));
                        expect(num(m), false, format!("exclusiveMinimum {m}: at"));
                    }
                    (None, None) => {
                        let unsigned = s
                            .get("format")
                            .and_then(Value::as_str)
                            .is_some_and(|f| f.starts_with("uint"));
                        if !unsigned {
                            expect(
                                num(if int { -1_000_000.0 } else { -1e9 }),
                                true,
                                "no minimum: negative".into(),
                            );
                        }
                    }
                }
            }
            Some("array") => {
                let item = self.sample(&s["items"]);
                let n = |k: u64| Value::Array((0..k).map(|_| item.clone()).collect());
                match s["maxItems"].as_u64() {
                    Some(m) => {
                        expect(n(m), true, format!("maxItems {m}"));
                        expect(n(m + 1), false, format!("maxItems {m}: one more"));
                    }
                    None => expect(n(1000), true, "no maxItems: 1000 items".into()),
                }
                match s["minItems"].as_u64() {
                    Some(m) if m > 0 => expect(n(m - 1), false, format!("minItems {m}: one fewer")),
                    _ => expect(n(0), true, "no minItems: none".into()),
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_request_body_states_the_rules_the_validator_enforces() {
    let doc = crate::http::openapi::document_value().unwrap_or_default();
    let registry = bodies();
    let mut missing = Vec::new();
    let mut names = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for (media, c) in content {
                let Some(r) = c["schema"]["$ref"].as_str() else {
                    continue;
                };
                let name = r.trim_start_matches("#/components/schemas/").to_owned();
                if !media.contains("json") || ELSEWHERE.contains(&name.as_str()) {
                    continue;
                }
                if !registry.contains_key(&name) {
                    missing.push(name.clone());
                }
                names.push(name);
            }
        }
    }
    names.sort();
    names.dedup();
    assert!(
        missing.is_empty(),
        "add these request bodies to `bodies()`: {missing:?}"
    );
    let probe = Probe { doc: &doc };
    let mut findings = Vec::new();
    for name in &names {
        let check = registry[name];
        let schema = &doc["components"]["schemas"][name.as_str()];
        let base = probe.sample(schema);
        if let Err(e) = check(base.clone()) {
            findings.push(Finding {
                body: name.clone(),
                field: String::new(),
                what: format!("the sample built from the schema is refused: {e:?} ({base})"),
            });
            continue;
        }
        probe.walk(name, check, &base, Vec::new(), schema, &mut findings, 0);
    }
    let report: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}: {}", f.body, f.field, f.what))
        .collect();
    assert!(
        report.is_empty(),
        "{} disagreements between the contract and the validator:\n{}",
        report.len(),
        report.join("\n")
    );
}
