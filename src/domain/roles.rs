//! Roles and what each may do. Scope (which units) is decided by role bindings, see `auth::scope`.

use crate::vocab_enum;

vocab_enum!(
    /// A role bound to an account over an organisation unit (and optionally its subtree).
    Role, "role" {
        StandingCommittee => ("standing_committee", "Ban Thường vụ", "Standing Committee"),
        OrganisationBoard => ("organisation_board", "Ban Tổ chức (cơ quan thường trực)", "Organisation Board"),
        Supervisor => ("supervisor", "Người theo dõi, giám sát", "Supervisor"),
        UnitHead => ("unit_head", "Người đứng đầu", "Head of unit"),
        UnitStaff => ("unit_staff", "Cán bộ giúp việc", "Unit staff"),
        DataFeed => ("data_feed", "Hệ thống cung cấp số liệu", "Data feed"),
        PublicReader => ("public_reader", "Cổng thông tin công khai", "Public reader"),
        Admin => ("admin", "Quản trị hệ thống", "Administrator"),
    }
);

vocab_enum!(
    /// A capability granted by a role, exercised on the units a binding covers.
    Permission, "permission" {
        OrgRead => ("org_read", "Xem cơ cấu tổ chức", "Read the organisation tree"),
        OrgManage => ("org_manage", "Quản lý cơ cấu tổ chức", "Manage units, levels and restructuring"),
        GroupManage => ("group_manage", "Quản lý nhóm đơn vị", "Manage groups of units"),
        PersonnelRead => ("personnel_read", "Xem hồ sơ cán bộ, chức vụ", "Read cadres and posts"),
        PersonnelManage => ("personnel_manage", "Quản lý cán bộ, chức vụ", "Manage cadres and posts"),
        AccountManage => ("account_manage", "Quản lý tài khoản, phân quyền", "Manage accounts and role bindings"),
        AuditRead => ("audit_read", "Xem nhật ký thay đổi", "Read the audit trail"),
        AssignmentRead => ("assignment_read", "Xem đợt giao, nhiệm vụ, cam kết", "Read rounds, assignments and commitments"),
        RoundManage => ("round_manage", "Dự thảo đợt giao và nhiệm vụ", "Draft rounds and assignments"),
        RoundIssue => ("round_issue", "Ban hành quyết định giao, thu hồi nhiệm vụ", "Issue rounds and withdraw assignments"),
        AssignmentPrepare => ("assignment_prepare", "Chuẩn bị kế hoạch, đề nghị điều chỉnh", "Prepare plans and amendment requests"),
        CommitmentSign => ("commitment_sign", "Ký cam kết, trình kế hoạch, đề nghị điều chỉnh", "Sign commitments, submit plans, request amendments"),
        PlanReview => ("plan_review", "Phê duyệt, trả lại kế hoạch", "Approve or return plans"),
        AmendmentDecide => ("amendment_decide", "Quyết định điều chỉnh nhiệm vụ", "Decide amendment requests"),
        ReportReview => ("report_review", "Tiếp nhận, trả lại báo cáo tiến độ", "Accept or return progress reports"),
        ObstacleRespond => ("obstacle_respond", "Trả lời khó khăn, vướng mắc; ghi ý kiến", "Answer obstacles and record opinions"),
        ObjectiveCauseCertify => ("objective_cause_certify", "Xác nhận nguyên nhân khách quan", "Certify objective causes"),
        EvidenceVerify => ("evidence_verify", "Xác minh sản phẩm, minh chứng", "Mark evidence verified or disputed"),
        EvaluationAppraise => ("evaluation_appraise", "Thẩm định, đề xuất xếp loại", "Appraise evaluations and propose grades"),
        EvaluationDecide => ("evaluation_decide", "Quyết định xếp loại", "Decide grades, and override those of lower committees"),
        RuleSetManage => ("rule_set_manage", "Quản lý bộ tiêu chí xếp loại", "Manage grading rule sets"),
        CadreRecordRead => ("cadre_record_read", "Xem kết quả đánh giá của cán bộ", "Read cadres' evaluation records"),
        FeedSubmit => ("feed_submit", "Gửi số liệu chỉ tiêu tự động", "Send indicator values from a department system"),
        HistoryRecord => ("history_record", "Nhập hồ sơ đã có trên giấy theo ngày thực tế", "Enter past records with the days they happened"),
    }
);

impl Role {
    /// The permissions this role grants on the units its binding covers.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &[
                OrgRead,
                OrgManage,
                GroupManage,
                PersonnelRead,
                PersonnelManage,
                AccountManage,
                AuditRead,
            ],
            Role::OrganisationBoard => &[
                OrgRead,
                GroupManage,
                PersonnelRead,
                PersonnelManage,
                AuditRead,
                AssignmentRead,
                RoundManage,
                PlanReview,
                ReportReview,
                ObstacleRespond,
                ObjectiveCauseCertify,
                EvidenceVerify,
                EvaluationAppraise,
                RuleSetManage,
                CadreRecordRead,
                HistoryRecord,
            ],
            Role::StandingCommittee => &[
                OrgRead,
                PersonnelRead,
                AuditRead,
                AssignmentRead,
                RoundManage,
                RoundIssue,
                PlanReview,
                AmendmentDecide,
                ObstacleRespond,
                ObjectiveCauseCertify,
                EvaluationDecide,
                CadreRecordRead,
            ],
            Role::Supervisor => &[
                OrgRead,
                PersonnelRead,
                AssignmentRead,
                ObstacleRespond,
                EvidenceVerify,
            ],
            Role::UnitHead => &[
                OrgRead,
                PersonnelRead,
                AssignmentRead,
                AssignmentPrepare,
                CommitmentSign,
            ],
            Role::UnitStaff => &[OrgRead, PersonnelRead, AssignmentRead, AssignmentPrepare],
            Role::DataFeed => &[OrgRead, FeedSubmit],
            Role::PublicReader => &[OrgRead],
        }
    }

    /// Whether this role grants `permission`.
    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_the_tree() {
        for role in Role::ALL {
            assert!(role.grants(Permission::OrgRead), "{role}");
        }
    }

    #[test]
    fn only_admin_manages_accounts_and_the_tree() {
        for role in Role::ALL {
            assert_eq!(role.grants(Permission::AccountManage), *role == Role::Admin);
            assert_eq!(role.grants(Permission::OrgManage), *role == Role::Admin);
        }
    }

    #[test]
    fn only_heads_sign_and_only_standing_committees_issue_and_decide() {
        for role in Role::ALL {
            assert_eq!(
                role.grants(Permission::CommitmentSign),
                *role == Role::UnitHead
            );
            assert_eq!(
                role.grants(Permission::RoundIssue),
                *role == Role::StandingCommittee
            );
            assert_eq!(
                role.grants(Permission::AmendmentDecide),
                *role == Role::StandingCommittee
            );
        }
        assert!(!Role::Admin.grants(Permission::AssignmentRead));
        assert!(!Role::UnitStaff.grants(Permission::CommitmentSign));
    }

    #[test]
    fn feeds_and_public_readers_never_see_personnel() {
        assert!(!Role::DataFeed.grants(Permission::PersonnelRead));
        assert!(!Role::PublicReader.grants(Permission::PersonnelRead));
    }
}
