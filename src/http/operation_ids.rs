//! Operation ids that read as what they do (`listAssignments`, `issueRound`,
//! `signCommitment`), derived from the method and path by a few rules, with the exceptions
//! named: generated clients turn them into method names.

/// Operations whose rule-made name would not say what they do.
const NAMED: &[(&str, &str, &str)] = &[
    ("post", "/api/v1/audit/verify", "verifyAuditChain"),
    ("get", "/api/v1/audit/checkpoints", "listAuditCheckpoints"),
    ("post", "/api/v1/audit/checkpoints", "createAuditCheckpoint"),
    (
        "get",
        "/api/v1/audit/checkpoints/public-key",
        "getAuditCheckpointPublicKey",
    ),
    ("post", "/api/v1/auth/token", "requestToken"),
    ("post", "/api/v1/auth/revoke", "revokeToken"),
    ("post", "/api/v1/auth/logout", "logout"),
    ("get", "/api/v1/me", "getMe"),
    ("get", "/healthz", "checkLiveness"),
    ("get", "/readyz", "checkReadiness"),
    ("post", "/api/v1/rounds/{id}/commitments", "signCommitment"),
    (
        "get",
        "/api/v1/rounds/{id}/commitment-terms",
        "getCommitmentTerms",
    ),
    (
        "get",
        "/api/v1/assignments/{id}/terms",
        "getAssignmentTerms",
    ),
    (
        "get",
        "/api/v1/assignments/{id}/derived-facts",
        "getDerivedFacts",
    ),
    (
        "put",
        "/api/v1/assignments/{id}/progress-reports/{period}",
        "writeProgressReport",
    ),
    (
        "post",
        "/api/v1/assignments/{id}/evidence/files",
        "uploadEvidenceFile",
    ),
    (
        "get",
        "/api/v1/evidence/{id}/content",
        "downloadEvidenceContent",
    ),
    ("post", "/api/v1/accounts/{id}/secret", "setAccountSecret"),
    ("post", "/api/v1/groups/{id}/members", "addGroupMember"),
    (
        "delete",
        "/api/v1/groups/{id}/members/{unit_id}",
        "removeGroupMember",
    ),
    ("post", "/api/v1/feeds/observations", "importObservations"),
    ("post", "/api/v1/restructurings/merge", "mergeUnits"),
    ("post", "/api/v1/restructurings/split", "splitUnit"),
    (
        "post",
        "/api/v1/history/evaluations",
        "recordPastEvaluations",
    ),
    (
        "post",
        "/api/v1/history/progress-reports",
        "recordPastProgressReports",
    ),
    (
        "post",
        "/api/v1/rounds/{id}/assignments/batch",
        "createAssignmentsBatch",
    ),
    (
        "post",
        "/api/v1/progress-reports/accept-batch",
        "acceptProgressReportsBatch",
    ),
    (
        "post",
        "/api/v1/progress-reports/submit-batch",
        "submitProgressReportsBatch",
    ),
    (
        "get",
        "/api/v1/person-evaluations/preview",
        "previewPersonEvaluation",
    ),
    ("get", "/api/v1/reports/results", "getResultsReport"),
    ("get", "/api/v1/reports/indicators", "getIndicatorsReport"),
    ("get", "/api/v1/reports/people", "getPeopleReport"),
    ("get", "/api/v1/reports/ranking", "getUnitRanking"),
    ("get", "/api/v1/reports/export", "exportReport"),
    ("get", "/api/v1/public/rounds", "listPublishedRounds"),
    (
        "get",
        "/api/v1/public/rounds/{id}/versions",
        "listPublishedVersions",
    ),
    (
        "get",
        "/api/v1/public/rounds/{id}/versions/{version}",
        "getPublishedVersion",
    ),
    (
        "post",
        "/api/v1/rounds/{id}/publication/corrections",
        "correctPublication",
    ),
    (
        "post",
        "/api/v1/rounds/{id}/publication/withdraw",
        "withdrawPublication",
    ),
    (
        "get",
        "/api/v1/public/rounds/{id}/results",
        "getPublishedResults",
    ),
];

/// `carry-over` → `CarryOver`.
fn camel(word: &str) -> String {
    word.split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `progress-reports` → `progress-report`, `vocabularies` → `vocabulary`; `readiness` and
/// `evidence` stay.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

fn is_plural(word: &str) -> bool {
    word.ends_with('s') && !word.ends_with("ss")
}

/// The operation id of `method` (lower case) on `path`.
pub fn operation_id(method: &str, path: &str) -> String {
    if let Some((_, _, name)) = NAMED.iter().find(|(m, p, _)| *m == method && *p == path) {
        return (*name).to_owned();
    }
    let segments: Vec<&str> = path
        .trim_start_matches("/api/v1")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let is_param = |s: &str| s.starts_with('{');
    let literals: Vec<&str> = segments.iter().copied().filter(|s| !is_param(s)).collect();
    let Some((&last, context)) = literals.split_last() else {
        return method.to_owned();
    };
    let ends_with_param = segments.last().is_some_and(|s| is_param(s));
    let nouns = |all: &[&str]| -> String { all.iter().map(|w| camel(&singular(w))).collect() };
    if ends_with_param {
        let verb = match method {
            "get" => "get",
            "patch" => "update",
            "put" => "set",
            "delete" => "delete",
            other => other,
        };
        return format!("{verb}{}", nouns(&literals));
    }
    let on_item = segments.len() >= 2 && is_param(segments[segments.len() - 2]);
    let action = method == "post" && !is_plural(last) && (on_item || !context.is_empty());
    if action {
        // `POST /rounds/{id}/issue` → `issueRound`.
        let verb = camel(last);
        let mut chars = verb.chars();
        let verb = chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect::<String>())
            .unwrap_or_default();
        return format!("{verb}{}", nouns(context));
    }
    let context = nouns(context);
    match method {
        "get" if is_plural(last) => format!("list{context}{}", camel(last)),
        "get" => format!("get{context}{}", camel(last)),
        "post" => format!("create{context}{}", camel(&singular(last))),
        "put" => format!("set{context}{}", camel(last)),
        "delete" => format!("delete{context}{}", camel(last)),
        other => format!("{other}{context}{}", camel(last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_what_the_operation_does() {
        let cases = [
            ("get", "/api/v1/assignments", "listAssignments"),
            ("post", "/api/v1/assignments", "createAssignment"),
            ("get", "/api/v1/assignments/{id}", "getAssignment"),
            ("patch", "/api/v1/assignments/{id}", "updateAssignment"),
            ("delete", "/api/v1/org-units/{id}", "deleteOrgUnit"),
            ("post", "/api/v1/rounds/{id}/issue", "issueRound"),
            ("post", "/api/v1/rounds/{id}/commitments", "signCommitment"),
            (
                "post",
                "/api/v1/amendments/{id}/approve",
                "approveAmendment",
            ),
            (
                "post",
                "/api/v1/assignments/{id}/plan/submit",
                "submitAssignmentPlan",
            ),
            (
                "post",
                "/api/v1/assignments/{id}/carry-over",
                "carryOverAssignment",
            ),
            (
                "get",
                "/api/v1/assignments/{id}/evaluations",
                "listAssignmentEvaluations",
            ),
            (
                "post",
                "/api/v1/assignments/{id}/evaluations",
                "createAssignmentEvaluation",
            ),
            ("get", "/api/v1/assignments/{id}/plan", "getAssignmentPlan"),
            (
                "put",
                "/api/v1/assignments/{id}/accountables",
                "setAssignmentAccountables",
            ),
            ("get", "/api/v1/rounds/{id}/readiness", "getRoundReadiness"),
            (
                "post",
                "/api/v1/evaluations/{id}/self-assess",
                "selfAssessEvaluation",
            ),
            ("get", "/api/v1/vocabularies/{name}", "getVocabulary"),
            ("get", "/api/v1/events", "listEvents"),
            ("post", "/api/v1/auth/token", "requestToken"),
        ];
        for (method, path, id) in cases {
            assert_eq!(operation_id(method, path), id, "{method} {path}");
        }
    }
}
