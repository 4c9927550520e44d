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
        let mut stats = Vec::new();
        for procedure in self.catalog.procedures.iter().filter(|p| {
            !p.stops.is_empty() && scope.as_deref().is_none_or(|d| d == p.department.id)
        }) {
            let counts = self
                .store
                .stop_counts(self.municipality(), procedure.id.as_str())
                .await?;
            for stop in &procedure.stops {
                stats.push(StopStat {
                    procedure_title: procedure.title.clone(),
                    stop_message: stop.message.clone(),
                    count: counts
                        .iter()
                        .find(|(id, _)| id == &stop.id)
                        .map_or(0, |(_, n)| *n),
                });
            }
        }
        Ok(stats)
    }
}
