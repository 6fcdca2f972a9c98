pub(crate) mod actions;
pub(crate) mod assessments;
pub(crate) mod assets;
pub(crate) mod backtrace;
pub(crate) mod cases;
pub(crate) mod dashboard;
pub(crate) mod health;
pub(crate) mod intake;
pub(crate) mod ledger;
pub(crate) mod render;
pub(crate) mod routing;
pub(crate) mod session;
pub(crate) mod track;
pub(crate) mod unmask;
pub(crate) mod warnings;

use crate::ApiError;

/// Unknown paths answer in the API's error format.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound { code: "not_found", message: "no such page or endpoint".into() }
}
