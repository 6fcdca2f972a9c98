pub(crate) mod actions;
pub(crate) mod assessments;
pub(crate) mod backtrace;
pub(crate) mod cases;
pub(crate) mod health;
pub(crate) mod ledger;
pub(crate) mod pages;
pub(crate) mod render;
pub(crate) mod routing;
pub(crate) mod track;
pub(crate) mod warnings;

use crate::ApiError;

/// Unknown paths answer in the API's error format.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound { code: "not_found", message: "no such page or endpoint".into() }
}
