//! Domain events as other systems see them: every audited change becomes one CloudEvent whose
//! type names the resource and what happened to it (`vn.gov.cadre.round.issued`), readable by
//! those who may read that kind of object in its unit.

use super::roles::Permission;

/// The prefix of every event type.
pub const TYPE_PREFIX: &str = "vn.gov.cadre.";

/// What happened, in the past tense, for an action verb of the audit trail (`issue` →
/// `issued`, `add_member` → `member_added`).
pub fn happened(verb: &str) -> String {
    let irregular = match verb {
        "draw" => Some("drawn"),
        "withdraw" => Some("withdrawn"),
        "override" | "overridden" => Some("overridden"),
        "split" => Some("split"),
        "submit" => Some("submitted"),
        "commit" => Some("committed"),
        "carry_over" => Some("carried_over"),
        "self_assess" => Some("self_assessed"),
        "set_secret" => Some("secret_set"),
        "end_sessions" => Some("sessions_ended"),
        "add_member" => Some("member_added"),
        "remove_member" => Some("member_removed"),
        "verify_integrity" => Some("integrity_verified"),
        "record_history" => Some("history_recorded"),
        "invalidate_commitment" => Some("commitment_invalidated"),
        "accountables" => Some("accountables_set"),
        "finding" => Some("finding_recorded"),
        "parent_id" => Some("parent_set"),
        "correct_publication" => Some("publication_corrected"),
        "withdraw_publication" => Some("publication_withdrawn"),
        _ => None,
    };
    match irregular {
        Some(done) => done.to_owned(),
        None if verb.ends_with('e') => format!("{verb}d"),
        None => format!("{verb}ed"),
    }
}

/// The event type of an audit action `resource.verb` (`round.issue` →
/// `vn.gov.cadre.round.issued`).
pub fn event_type(action: &str) -> String {
    match action.rsplit_once('.') {
        Some((resource, verb)) => format!("{TYPE_PREFIX}{resource}.{}", happened(verb)),
        None => format!("{TYPE_PREFIX}{}", happened(action)),
    }
}

/// The resource types whose events need another permission than [`DEFAULT_READ`] on their
/// unit (`None`: every caller, for the rule sets everyone reads).
pub const READ_RULES: &[(&str, Option<Permission>)] = &[
    ("rule_set", None),
    ("org_unit", Some(Permission::OrgRead)),
    ("level", Some(Permission::OrgRead)),
    ("org_group", Some(Permission::OrgRead)),
    ("successor", Some(Permission::OrgRead)),
    ("restructuring", Some(Permission::OrgRead)),
    ("cadre", Some(Permission::PersonnelRead)),
    ("post", Some(Permission::PersonnelRead)),
    ("account", Some(Permission::AccountManage)),
    ("role_binding", Some(Permission::AccountManage)),
    ("feed_licence", Some(Permission::AccountManage)),
    ("webhook_subscription", Some(Permission::AccountManage)),
    ("webhook_delivery", Some(Permission::AccountManage)),
    ("person_evaluation", Some(Permission::CadreRecordRead)),
    ("consequence", Some(Permission::CadreRecordRead)),
];

/// What reading an event about any other resource needs on its unit: what reading the
/// assignments there needs (rounds, assignments and everything that belongs to them).
pub const DEFAULT_READ: Permission = Permission::AssignmentRead;

/// Who may read an event about a resource of this type: the permission needed on its unit
/// (`None`: every caller).
pub fn read_permission(resource_type: &str) -> Option<Permission> {
    READ_RULES
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map_or(Some(DEFAULT_READ), |(_, p)| *p)
}

/// The resource types listed in [`READ_RULES`] whose events need `permission`.
pub fn types_needing(permission: Permission) -> Vec<&'static str> {
    READ_RULES
        .iter()
        .filter(|(_, p)| *p == Some(permission))
        .map(|(t, _)| *t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_say_what_happened_in_the_past_tense() {
        let cases = [
            ("round.issue", "vn.gov.cadre.round.issued"),
            ("round.close", "vn.gov.cadre.round.closed"),
            ("round.publish", "vn.gov.cadre.round.published"),
            (
                "round.correct_publication",
                "vn.gov.cadre.round.publication_corrected",
            ),
            (
                "round.withdraw_publication",
                "vn.gov.cadre.round.publication_withdrawn",
            ),
            (
                "assignment.carry_over",
                "vn.gov.cadre.assignment.carried_over",
            ),
            ("assignment.withdraw", "vn.gov.cadre.assignment.withdrawn"),
            ("commitment.sign", "vn.gov.cadre.commitment.signed"),
            (
                "progress_report.submit",
                "vn.gov.cadre.progress_report.submitted",
            ),
            (
                "progress_report.accept",
                "vn.gov.cadre.progress_report.accepted",
            ),
            ("evidence.retract", "vn.gov.cadre.evidence.retracted"),
            ("obstacle.raise", "vn.gov.cadre.obstacle.raised"),
            (
                "evaluation.self_assess",
                "vn.gov.cadre.evaluation.self_assessed",
            ),
            (
                "evaluation.overridden",
                "vn.gov.cadre.evaluation.overridden",
            ),
            (
                "org_group.add_member",
                "vn.gov.cadre.org_group.member_added",
            ),
            ("org_unit.split", "vn.gov.cadre.org_unit.split"),
            ("spot_check.draw", "vn.gov.cadre.spot_check.drawn"),
            ("post.end", "vn.gov.cadre.post.ended"),
            (
                "account.end_sessions",
                "vn.gov.cadre.account.sessions_ended",
            ),
        ];
        for (action, expected) in cases {
            assert_eq!(event_type(action), expected, "{action}");
        }
    }

    #[test]
    fn events_are_read_with_the_objects_they_are_about() {
        assert_eq!(read_permission("round"), Some(Permission::AssignmentRead));
        assert_eq!(
            read_permission("evidence"),
            Some(Permission::AssignmentRead)
        );
        assert_eq!(read_permission("org_unit"), Some(Permission::OrgRead));
        assert_eq!(read_permission("account"), Some(Permission::AccountManage));
        assert_eq!(read_permission("rule_set"), None);
        assert_eq!(types_needing(Permission::PersonnelRead), ["cadre", "post"]);
    }
}
