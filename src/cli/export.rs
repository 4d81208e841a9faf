//! `stancegraph export`: the export set from the store alone, of the rolling
//! window, the whole archive (`--all`) or a date range (`--from/--to`).

use std::process::ExitCode;

use stancegraph::pipeline::{self, ExportRange};

use super::args::ExportArgs;

pub(crate) fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let ExportArgs { out, store, from, to, models, publish, graph, window } = args;
    if let (Some(from), Some(to)) = (&from, &to) {
        if from > to {
            anyhow::bail!("--from {from} is later than --to {to}: the range is empty");
        }
    }
    let store = store.unwrap_or_else(|| out.join(stancegraph::store::DEFAULT_FILE));
    let graph = graph.options(models.threshold_model());
    let range = if from.is_some() || to.is_some() { ExportRange::Dated { from, to } } else { window.range() };
    pipeline::export_only(&store, &out, &range, publish.min_free_mb, publish.quiet, publish.accept_shrink, &graph)?;
    Ok(ExitCode::SUCCESS)
}
