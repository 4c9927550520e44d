//! What the ward's plan measures from the live system. For now: how often each eligibility
//! stop ended a form, per procedure of the staff member's department — residents sent
//! elsewhere, of whom nothing else is kept.

use crate::accounts::Staff;
use crate::error::AppError;
use crate::portal::Portal;
use madoguchi_domain::Localized;

/// One stop of one procedure and how many forms it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopStat {
    pub procedure_title: Localized,
    pub stop_message: Localized,
    pub count: i64,
}

impl Portal {
    /// Every stop of the procedures `staff` may see, with its count (zero where none yet).
    pub async fn stop_statistics(&self, staff: &Staff) -> Result<Vec<StopStat>, AppError> {
        let scope = staff.actor().scope;
        let counts = self.store.stop_counts(self.municipality()).await?;
        let count = |procedure: &str, stop: &str| {
            counts
                .iter()
                .find(|(p, s, _)| p == procedure && s == stop)
                .map_or(0, |(_, _, n)| *n)
        };
        Ok(self
            .catalog
            .procedures
            .iter()
            .filter(|p| scope.as_deref().is_none_or(|d| d == p.department.id))
            .flat_map(|p| {
                p.stops.iter().map(move |stop| StopStat {
                    procedure_title: p.title.clone(),
                    stop_message: stop.message.clone(),
                    count: count(p.id.as_str(), &stop.id),
                })
            })
            .collect())
    }
}
