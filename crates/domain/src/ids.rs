//! Identifiers that appear in catalog files and URLs. Each kind has its own type so that a field
//! id can never be passed where a procedure id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Checks the shape shared by procedure, step, field and option ids: lower-case ASCII letters,
/// digits, `-` and `_`, starting with a letter, at most 64 characters. They appear in URLs, form
/// field names and export files, so nothing that needs escaping is allowed.
pub fn is_valid_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 64
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '_'))
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Accepts only a valid slug (see [`is_valid_slug`]).
            pub fn parse(s: &str) -> Option<Self> {
                is_valid_slug(s).then(|| Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

slug_id!(
    /// A procedure's stable id, e.g. `juminhyo-yuso`. It never changes once published: old
    /// applications and bookmarks refer to it.
    ProcedureId
);
slug_id!(
    /// A question's id, unique within its procedure (or within its repeating group).
    FieldId
);
slug_id!(
    /// A step's id, unique within its procedure; it is the last segment of a question page's URL.
    StepId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_and_form_safe() {
        assert!(is_valid_slug("juminhyo-yuso"));
        assert!(is_valid_slug("child_1"));
        assert!(!is_valid_slug("1abc"));
        assert!(!is_valid_slug("Abc"));
        assert!(!is_valid_slug("a b"));
        assert!(!is_valid_slug("住民票"));
        assert!(!is_valid_slug(""));
        assert!(ProcedureId::parse("a.b").is_none());
    }
}
