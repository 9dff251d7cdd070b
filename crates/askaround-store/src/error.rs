use askaround_core::FieldError;

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in a store, in terms a handler can act on. Backend details stay inside
/// `Backend` and are logged, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in the caller's organisation (which is also what a row of another
    /// organisation looks like: ids never leak across tenants).
    #[error("not found")]
    NotFound,
    /// A uniqueness or consistency rule refused the write; `code` is stable (`email_taken`,
    /// `skill_exists`, ...) and `error` names the field.
    #[error("{code}: {error}")]
    Conflict {
        code: &'static str,
        error: FieldError,
    },
    /// The write breaks a domain rule (a skill under itself, an organisation left without an
    /// admin); like `Conflict`, with a stable code and the field named.
    #[error("{code}: {error}")]
    Invalid {
        code: &'static str,
        error: FieldError,
    },
    /// Another writer changed the ask first; reload it and apply the event again.
    #[error("the ask changed meanwhile")]
    VersionConflict,
    #[error("storage failure: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn conflict(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            error: FieldError::new(field, message),
        }
    }

    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            error: FieldError::new(field, message),
        }
    }

    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}
