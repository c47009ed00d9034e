//! Which part of a span of buckets the day and hour aggregates cover (migrations 0007, 0008): their local days
//! or hours lying wholly inside, once they are built, and the edges left to the rollups (or the events). Usage
//! (`query`), the facet breakdowns (`facets`), the sessions and the timings read spans the same way.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::words::time::TimeContext;

/// The whole days (hours) of an aggregate table inside a span, as buckets `[first, end)`, and the edges left
/// to the rollups. Without built aggregates, or without a whole day (hour) inside, all of it is edge.
pub(crate) struct Cover {
    pub days: Option<(i64, i64)>,
    pub edges: Vec<(i64, i64)>,
}

impl Cover {
    fn whole(from: i64, to: i64) -> Cover {
        Cover { days: None, edges: vec![(from, to)] }
    }
}

/// The rows of an aggregate table whose key begins with a column (`facet`, `kind`) holding one value.
pub(crate) type Leading<'a> = Option<(&'static str, &'a str)>;

/// Whether the aggregates are built (none is left to the fill): until then every query reads the rollups.
pub(crate) fn built(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT fill_from IS NULL AND sessions_from IS NULL FROM usage_by_day_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// [`Cover`] of buckets `[from, to)` by `table`'s rows (those `leading` names, for the tables keyed by facet or
/// kind first).
pub(crate) fn cover(conn: &Connection, table: &str, leading: Leading, from: i64, to: i64) -> Result<Cover> {
    if !built(conn)? {
        return Ok(Cover::whole(from, to));
    }
    // The key begins with the facet (kind): named, the range is a scan of that facet's rows alone.
    let of_leading = match leading {
        Some((column, _)) => format!("{column} = ?3 AND"),
        None => "?3 IS NULL AND".to_owned(),
    };
    // A table's days (hours) do not overlap, so the ones inside run from the first row in key order to the
    // last, each found by one probe of the key (min and max would read every row of a year in between).
    let inside =
        format!("FROM {table} WHERE {of_leading} first_bucket >= ?1 AND first_bucket < ?2 AND end_bucket <= ?2");
    let (first, end): (Option<i64>, Option<i64>) = conn
        .prepare_cached(&format!(
            "SELECT (SELECT first_bucket {inside} ORDER BY first_bucket LIMIT 1),
                    (SELECT end_bucket {inside} ORDER BY first_bucket DESC LIMIT 1)"
        ))?
        .query_row(rusqlite::params![from, to, leading.map(|(_, value)| value)], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (Some(first), Some(end)) = (first, end) else { return Ok(Cover::whole(from, to)) };
    Ok(Cover {
        days: Some((first, end)),
        edges: [(from, first), (end, to)].into_iter().filter(|(a, b)| a < b).collect(),
    })
}

/// [`cover`] for a series in `ctx`'s local days or hours: the aggregates' days (hours) are the series' only
/// when they are local to the same zone.
pub(crate) fn series_cover(
    conn: &Connection,
    ctx: &TimeContext,
    table: &str,
    leading: Leading,
    from: i64,
    to: i64,
) -> Result<Cover> {
    let zone: Option<String> = conn
        .prepare_cached("SELECT zone FROM usage_by_day_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    if zone.as_deref() == Some(ctx.zone.name()) {
        cover(conn, table, leading, from, to)
    } else {
        Ok(Cover::whole(from, to))
    }
}
