//! Controlled vocabularies: stable English codes with Vietnamese and English labels.

use serde::Serialize;
use utoipa::ToSchema;

/// One entry of a vocabulary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Term {
    /// Stable code used on the wire.
    pub code: &'static str,
    /// Vietnamese label.
    pub label_vi: &'static str,
    /// English label.
    pub label_en: &'static str,
}

/// Declares a string-coded enum with its vocabulary labels. Its code is also how a `TEXT`
/// column stores it: reading a code the enum does not know is an error, never a fallback.
#[macro_export]
macro_rules! vocab_enum {
    ($(#[$meta:meta])* $name:ident, $vocab:literal { $($variant:ident => ($code:literal, $vi:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[derive(diesel::FromSqlRow, diesel::AsExpression)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let code = std::str::from_utf8(value.as_bytes())?;
                Self::parse(code)
                    .ok_or_else(|| format!("{:?} is not a {} code", code, $vocab).into())
            }
        }

        impl $name {
            /// Vocabulary name, as served by `GET /api/v1/vocabularies/{name}`.
            pub const VOCABULARY: &'static str = $vocab;
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a wire code.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The Vietnamese label.
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),+ }
            }

            /// The English label.
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// The vocabulary entries of this enum.
            pub fn terms() -> Vec<$crate::domain::vocab::Term> {
                vec![$($crate::domain::vocab::Term { code: $code, label_vi: $vi, label_en: $en }),+]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Declares a closed set of machine codes (no labels, no column): an enum that serializes as
/// its codes, so the contract lists them.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire code.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocab_enum!(
    /// Kind of organisation unit.
    UnitType, "unit_type" {
        ProvincialPartyCommittee => ("provincial_party_committee", "Tỉnh ủy, Thành ủy trực thuộc Trung ương", "Provincial Party committee"),
        PartyBoard => ("party_board", "Ban, cơ quan tham mưu của cấp ủy", "Party board"),
        FrontMassOrganisation => ("front_mass_organisation", "Mặt trận Tổ quốc, đoàn thể chính trị - xã hội", "Fatherland Front or mass organisation"),
        Department => ("department", "Sở, ban, ngành", "State department"),
        DistrictPartyCommittee => ("district_party_committee", "Huyện ủy, Thành ủy, Thị ủy", "District-level Party committee"),
        CommunePartyCommittee => ("commune_party_committee", "Đảng ủy xã, phường, đặc khu", "Commune-level Party committee"),
        BasePartyOrganisation => ("base_party_organisation", "Tổ chức cơ sở đảng", "Grassroots Party organisation"),
        PartyCell => ("party_cell", "Chi bộ", "Party cell"),
        PeoplesCommittee => ("peoples_committee", "Ủy ban nhân dân", "People's Committee"),
        Other => ("other", "Khác", "Other"),
    }
);

vocab_enum!(
    /// Kind of post a cadre holds in a unit.
    PostKind, "post_kind" {
        Head => ("head", "Người đứng đầu", "Head"),
        DeputyHead => ("deputy_head", "Cấp phó", "Deputy head"),
        Member => ("member", "Ủy viên", "Member"),
        Staff => ("staff", "Cán bộ, công chức", "Staff"),
    }
);

vocab_enum!(
    /// Gender as recorded in the cadre file.
    Gender, "gender" {
        Male => ("male", "Nam", "Male"),
        Female => ("female", "Nữ", "Female"),
        Other => ("other", "Khác", "Other"),
    }
);

vocab_enum!(
    /// Kind of account.
    AccountKind, "account_kind" {
        User => ("user", "Người dùng", "User"),
        Client => ("client", "Hệ thống kết nối", "Machine client"),
    }
);

vocab_enum!(
    /// Kind of restructuring of the organisation tree.
    RestructuringKind, "restructuring_kind" {
        Merge => ("merge", "Hợp nhất, sáp nhập", "Merge"),
        Split => ("split", "Chia tách", "Split"),
    }
);

/// Every vocabulary the API publishes, by name.
pub fn all() -> Vec<(&'static str, Vec<Term>)> {
    vec![
        (
            crate::domain::roles::Role::VOCABULARY,
            crate::domain::roles::Role::terms(),
        ),
        (UnitType::VOCABULARY, UnitType::terms()),
        (PostKind::VOCABULARY, PostKind::terms()),
        (Gender::VOCABULARY, Gender::terms()),
        (AccountKind::VOCABULARY, AccountKind::terms()),
        (
            crate::domain::assignment::CommitmentStatus::VOCABULARY,
            crate::domain::assignment::CommitmentStatus::terms(),
        ),
        (RestructuringKind::VOCABULARY, RestructuringKind::terms()),
        (
            crate::domain::roles::Permission::VOCABULARY,
            crate::domain::roles::Permission::terms(),
        ),
    ]
    .into_iter()
    .chain(crate::domain::assignment_vocabularies())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_enums_serialize_as_their_codes() {
        use crate::domain::grading::StepCode;
        use crate::domain::round_rules::BreachCode;
        for c in StepCode::ALL {
            assert_eq!(serde_json::to_value(c).ok(), Some(c.as_str().into()));
        }
        for c in BreachCode::ALL {
            assert_eq!(serde_json::to_value(c).ok(), Some(c.as_str().into()));
        }
        assert_eq!(BreachCode::TooFewTasks, "too_few_tasks");
    }

    #[test]
    fn codes_round_trip() {
        for t in UnitType::ALL {
            assert_eq!(UnitType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(PostKind::parse("boss"), None);
    }

    #[test]
    fn vocabulary_names_and_codes_are_unique() {
        let all = all();
        let mut names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for (_, terms) in &all {
            let mut codes: Vec<_> = terms.iter().map(|t| t.code).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), terms.len());
        }
    }
}
