//! The page itself: one function a panel, in the order of [`PANELS`], and
//! the stance-over-time chart; the page's CSS and scripts are the files
//! beside this one.

use super::html::*;
use super::*;

/// The page's stylesheet.
const STYLE: &str = include_str!("page.css");
/// The first script in `<head>`: catches every later error on the page.
const CATCH: &str = include_str!("catch.js");
/// The self-check (see the module docs of [`crate::report`]).
const SCRIPT: &str = include_str!("page.js");

/// The panels every page has (the self-check looks for each).
pub const PANELS: [&str; 8] =
    ["key-numbers", "top-entities", "contested", "commenters", "camps", "timeline", "skipped", "files"];

/// The page, as one string: the head, the header, one section a panel
/// ([`PANELS`], in order), the footer with the data island and the script.
pub fn render(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        o,
        "<title>stancegraph report{}</title>",
        r.run_id.map(|id| format!(" · run {id}")).unwrap_or_default()
    );
    let _ = writeln!(o, "<script>{CATCH}</script>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    header(&mut o, r);
    o.push_str("<div class=\"grid\">\n");
    key_numbers(&mut o, r);
    top_entities(&mut o, r);
    contested(&mut o, r);
    commenters(&mut o, r);
    camps(&mut o, r);
    timeline(&mut o, r);
    skipped(&mut o, r);
    files(&mut o, r);
    o.push_str("</div>\n");
    footer(&mut o, r);
    o
}

/// The header: what the set holds, when and how it was made.
fn header(o: &mut String, r: &Report) {
    let t = &r.totals;
    o.push_str("<header><p class=\"over\">stancegraph report</p><h1>Who stands where</h1><p class=\"sub\">");
    let mut sub = vec![format!(
        "{} with {}",
        plural(t.documents, "document", "documents"),
        plural(t.comments, "comment", "comments")
    )];
    match (&r.first_date, &r.last_date) {
        (Some(a), Some(b)) if a == b => sub.push(format!("dated {a}")),
        (Some(a), Some(b)) => sub.push(format!("dated {a} to {b}")),
        _ => sub.push("no dates".to_string()),
    }
    if let Some(id) = r.run_id {
        sub.push(match &r.run_started {
            Some(s) => format!("run {id} at {}", readable_time(s)),
            None => format!("run {id}"),
        });
    }
    if let Some(m) = &r.stance_method {
        sub.push(format!("stance by {m}"));
    }
    o.push_str(&escape(&sub.join(" · ")));
    o.push_str("</p>");
    for note in [&r.coverage, &r.graph_left_out].into_iter().flatten() {
        let _ = write!(o, "<p class=\"sub\">{}</p>", escape(note));
    }
    o.push_str("</header>\n");
}

/// Panel 1: Key numbers.
fn key_numbers(o: &mut String, r: &Report) {
    let t = &r.totals;
    section_open(o, "key-numbers", "The corpus at a glance", "", "wide");
    o.push_str("<div class=\"kns\">");
    let dated_note = if t.documents > 0 && r.dated_documents < t.documents {
        format!("{} dated", thousands(r.dated_documents))
    } else {
        String::new()
    };
    key_number(o, "documents", "documents", t.documents, &dated_note);
    key_number(o, "comments", "comments", t.comments, "");
    key_number(o, "commenters", "commenters", t.commenters, "");
    let by_type: Vec<String> =
        r.entities_by_type.iter().map(|(k, n)| format!("{} {}", thousands(*n), type_plural(k, *n))).collect();
    key_number(o, "entities", "entities", t.entities, "");
    key_number(o, "mentions", "mentions", t.mentions, "");
    key_number(o, "stance_pairs", "stance pairs", t.stance_pairs, "comment × entity");
    o.push_str("</div>");
    o.push_str("<div class=\"overall\">");
    if t.stance_pairs > 0 {
        o.push_str("<div class=\"big\" role=\"img\" aria-label=\"stance of all measured comments\">");
        for (n, colour, name) in
            [(t.favour, FAVOUR, "favour"), (t.neutral, NEUTRAL, "neutral"), (t.against, AGAINST, "against")]
        {
            if n > 0 {
                let _ = write!(
                    o,
                    r#"<div style="flex:{n} 1 0;background:{colour}" title="{n} {name}">{}</div>"#,
                    if n * 100 >= t.stance_pairs * 6 { pct(n, t.stance_pairs) } else { String::new() }
                );
            }
        }
        o.push_str("</div>");
    }
    o.push_str("<div class=\"legend\">");
    for (key, n, colour, name) in [
        ("favour", t.favour, FAVOUR, "favour"),
        ("neutral", t.neutral, NEUTRAL, "neutral"),
        ("against", t.against, AGAINST, "against"),
    ] {
        let _ = write!(
            o,
            r#"<span style="--c:{colour}"><b data-key="{key}" data-value="{n}">{}</b> {name}</span>"#,
            thousands(n)
        );
    }
    o.push_str("</div></div>");
    let _ = write!(
        o,
        r#"<p class="note"><b data-key="unsure" data-value="{u}">{}</b> unsure (below the run's --min-confidence: in the stance pairs, in no share or count below); <b data-key="implicit" data-value="{i}">{}</b> implicit (the comment does not name the entity: it replies to a comment that does, or the entity leads the document). Open a row of Top entities or Most contested to read its comments.</p>"#,
        thousands(t.unsure),
        thousands(t.implicit),
        u = t.unsure,
        i = t.implicit
    );
    let _ = write!(
        o,
        r#"<p class="note">Entities: {}. A stance pair is one comment's stance toward one entity it speaks about; favour, neutral and against split them.</p>"#,
        if by_type.is_empty() { "none".to_string() } else { escape(&by_type.join(", ")) }
    );
    o.push_str("</section>\n");
}

/// Panel 2: Top entities.
fn top_entities(o: &mut String, r: &Report) {
    let unranked: usize = r
        .entities_by_type
        .iter()
        .filter(|(k, _)| !RANKED_TYPES.iter().any(|t| type_name(*t) == k.as_str()))
        .map(|(_, n)| n)
        .sum();
    let lead = format!(
        "The most-mentioned people, countries and organisations, with the stance of the comments measured on each: \
         <span class=\"legend\" style=\"display:inline-flex\"><span style=\"--c:{FAVOUR}\">favour</span><span style=\"--c:{NEUTRAL}\">neutral</span><span style=\"--c:{AGAINST}\">against</span></span>"
    );
    section_open(o, "top-entities", "Top entities", &lead, "s7");
    if r.top_entities.is_empty() {
        o.push_str("<p class=\"muted\">No people, countries or organisations were found.</p>");
    } else {
        o.push_str("<table class=\"sortable\"><thead><tr><th>#</th><th>entity</th><th class=\"num\">mentions</th><th class=\"num\">measured</th><th>stance</th></tr></thead><tbody>");
        for (i, e) in r.top_entities.iter().enumerate() {
            let _ = write!(
                o,
                r#"<tr data-entity="{id}"><td class="rank" data-sort="{}">{}</td><td class="name" title="{id}" data-sort="{}">{}"#,
                i + 1,
                i + 1,
                escape(&e.label),
                escape(&e.label),
                id = escape(&e.id)
            );
            type_chip(o, e.kind);
            let _ = write!(
                o,
                r#"</td><td class="num">{}</td><td class="num">{}</td><td data-sort="{:.4}">"#,
                thousands(e.mentions),
                thousands(e.stance.total()),
                if e.stance.total() == 0 {
                    -2.0
                } else {
                    (e.stance.favour as f64 - e.stance.against as f64) / e.stance.total() as f64
                }
            );
            share_bar(o, &e.stance);
            o.push_str("</td></tr>");
            evidence_row(o, r, e, 5);
        }
        o.push_str("</tbody></table>");
    }
    let ranked_total: usize = r.entities_by_type.values().sum::<usize>() - unranked;
    let mut notes = vec![format!(
        "{} of {} measured",
        thousands(r.measured_entities),
        plural(ranked_total, "ranked entity", "ranked entities")
    )];
    if unranked > 0 {
        notes.push(format!("{} not ranked here (locations, misc)", plural(unranked, "entity", "entities")));
    }
    let _ = write!(o, "<p class=\"note\">{}. Click a column to sort.</p>", escape(&notes.join("; ")));
    o.push_str("</section>\n");
}

/// Panel 3: Most contested.
fn contested(o: &mut String, r: &Report) {
    section_open(
        o,
        "contested",
        "Most contested",
        "Entities with many comments in favour <em>and</em> many against. Score = 2·F·A / (F + A), the harmonic mean of the favour (F) and against (A) counts: 0 unless both sides are present, at most the smaller side.",
        "s5",
    );
    if r.contested.is_empty() {
        o.push_str(
            "<p class=\"muted\">No entity has comments both in favour and against: nothing is contested yet.</p>",
        );
    } else {
        let max = r.contested.iter().map(|e| e.stance.favour.max(e.stance.against)).max().unwrap_or(0);
        o.push_str("<div class=\"tw\"><table class=\"sortable\"><thead><tr><th>entity</th><th class=\"num\">favour</th><th class=\"num\">against</th><th class=\"num\">score</th><th title=\"against to the left, favour to the right\">balance</th></tr></thead><tbody>");
        for e in &r.contested {
            let _ = write!(
                o,
                r#"<tr data-entity="{}"><td class="name short" title="{} ({}): {} neutral too">{}</td>"#,
                escape(&e.id),
                escape(&e.label),
                type_name(e.kind),
                e.stance.neutral,
                escape(&e.label)
            );
            let _ = write!(
                o,
                r#"<td class="num fav">{}</td><td class="num aga">{}</td><td class="num" data-sort="{:.4}"><b>{}</b></td><td data-sort="{}">"#,
                e.stance.favour,
                e.stance.against,
                e.stance.contest(),
                one_decimal(e.stance.contest()),
                e.stance.favour as i64 - e.stance.against as i64
            );
            diverging_bar(o, &e.stance, max);
            o.push_str("</td></tr>");
            evidence_row(o, r, e, 5);
        }
        o.push_str("</tbody></table></div>");
    }
    let _ = write!(
        o,
        r#"<h3 class="sub-h">Most one-sided</h3><p class="lead">The highest favour and against shares among entities with at least {ONE_SIDED_MIN} measured comments.</p><div class="sides">"#
    );
    for (rows, class, word) in [(&r.favoured, "fav", "in favour"), (&r.opposed, "aga", "against")] {
        let _ = write!(o, r#"<div><div class="side-h {class}">most {word}</div>"#);
        if rows.is_empty() {
            o.push_str(r#"<div class="muted">none</div>"#);
        }
        for e in rows.iter() {
            let n = if class == "fav" { e.stance.favour } else { e.stance.against };
            let _ = write!(
                o,
                r#"<div class="side-row" data-entity="{}"><span class="name" title="{l} ({})">{l}</span> <b class="{class}">{}</b> <span class="muted">of {}</span></div>"#,
                escape(&e.id),
                type_name(e.kind),
                pct(n, e.stance.total()),
                e.stance.total(),
                l = escape(&e.label)
            );
            if let Some(ev) = r.evidence.get(&e.id) {
                evidence_details(o, &e.id, ev, &e.stance);
            }
        }
        o.push_str("</div>");
    }
    o.push_str("</div></section>\n");
}

/// Panel 4: Most active commenters.
fn commenters(o: &mut String, r: &Report) {
    let t = &r.totals;
    section_open(
        o,
        "commenters",
        "Most active commenters",
        "By comments written; stance records are favour · neutral · against over every entity they spoke about.",
        "",
    );
    if r.commenters.is_empty() {
        o.push_str("<p class=\"muted\">The corpus has no comments.</p>");
    } else {
        o.push_str("<table class=\"sortable\"><thead><tr><th>commenter</th><th class=\"num\">comments</th><th class=\"num\">threads</th><th>stance records</th><th>camp</th></tr></thead><tbody>");
        for c in &r.commenters {
            let _ = write!(
                o,
                r#"<tr><td class="name" title="{n}">{n}</td><td class="num">{}</td><td class="num">{}</td><td data-sort="{}">"#,
                thousands(c.comments),
                thousands(c.threads),
                c.stance.total(),
                n = escape(&c.name)
            );
            triple(o, &c.stance);
            let _ = write!(o, r#"</td><td data-sort="{}">"#, c.camp.unwrap_or(usize::MAX));
            match c.camp {
                Some(id) => {
                    let _ = write!(o, r##"<a class="camp-chip" href="#camp-{id}">camp {id}</a>"##);
                }
                None => o.push_str(r#"<span class="muted">–</span>"#),
            }
            o.push_str("</td></tr>");
        }
        o.push_str("</tbody></table>");
    }
    let _ = write!(o, "<p class=\"note\">{} in all.</p>", escape(&plural(t.commenters, "commenter", "commenters")));
    o.push_str("</section>\n");
}

/// Panel 5: Camps.
fn camps(o: &mut String, r: &Report) {
    section_open(
        o,
        "camps",
        "Camps",
        "Commenters who agree. Two commenters agree on an entity when both took the same side on it (more favour than against, or the reverse; neutral takes no side) and disagree when they took opposite sides; a pair's weight is agreements − disagreements. Camps are found by label propagation over these weights.",
        "",
    );
    if r.camps.is_empty() {
        o.push_str("<p class=\"muted\">No camp: no two commenters agree on more entities than they disagree on.</p>");
    } else {
        o.push_str("<div class=\"camps\">");
        for c in &r.camps {
            let _ = write!(
                o,
                r#"<div class="camp" id="camp-{}"><h3>Camp {} <span class="muted">· {}</span></h3><div class="muted" style="font-size:12px">{} inside, {}</div><div class="members">"#,
                c.id,
                c.id,
                escape(&plural(c.members.len(), "commenter", "commenters")),
                escape(&plural(c.agree, "agreement", "agreements")),
                escape(&plural(c.disagree, "disagreement", "disagreements"))
            );
            let shown: Vec<String> = c.members.iter().take(6).map(|m| escape(m)).collect();
            o.push_str(&shown.join(", "));
            if c.members.len() > 6 {
                let _ = write!(o, " <span class=\"muted\">and {} more</span>", c.members.len() - 6);
            }
            o.push_str("</div>");
            for (list, class, word) in [(&c.favours, "fav", "for"), (&c.opposes, "aga", "against")] {
                if list.is_empty() {
                    continue;
                }
                let _ = write!(o, r#"<div class="stands"><span class="muted">{word}</span> "#);
                for (label, n) in list {
                    let _ = write!(
                        o,
                        r#"<span class="pill {class}" title="{n} of the camp's members">{} <b>{n}</b></span>"#,
                        escape(label)
                    );
                }
                o.push_str("</div>");
            }
            camp_details(o, c);
            o.push_str("</div>");
        }
        o.push_str("</div>");
    }
    let mut camp_note = format!(
        "{} in {} of the {} who took a side on any entity.",
        plural(r.commenters_in_camps, "commenter", "commenters"),
        plural(r.camps_found, "camp", "camps"),
        thousands(r.commenters_with_side)
    );
    if r.camp_commenters_capped {
        camp_note.push_str(&format!(
            " Camps are sought among the {} commenters who took a side on the most entities.",
            thousands(CAMP_COMMENTERS)
        ));
    }
    if r.camps_found > r.camps.len() {
        camp_note.push_str(&format!(" The {} biggest are shown.", r.camps.len()));
    }
    let _ = write!(o, "<p class=\"note\">{}</p>", escape(&camp_note));
    o.push_str("</section>\n");
}

/// Panel 6: Stance over time.
fn timeline(o: &mut String, r: &Report) {
    let tl = &r.timeline;
    section_open(
        o,
        "timeline",
        "Stance over time",
        &if tl.series.is_empty() {
            "Stance records by their document's date.".to_string()
        } else {
            format!(
                "Stance records per {} of their document's date, for the entities with the most dated records: favour above the line, against below (neutral in the totals only). Every chart has the same scale.",
                tl.unit.name()
            )
        },
        "wide",
    );
    if tl.series.is_empty() {
        o.push_str("<p class=\"muted\">No stance record has a dated document: there is no timeline to draw.</p>");
    } else {
        let max =
            tl.series.iter().flat_map(|(_, c)| c.iter()).map(|c| c.favour.max(c.against)).max().unwrap_or(1).max(1);
        o.push_str("<div class=\"multiples\">");
        for (e, counts) in &tl.series {
            let mut sum = Counts::default();
            for c in counts {
                sum.favour += c.favour;
                sum.against += c.against;
                sum.neutral += c.neutral;
            }
            let _ = write!(o, r#"<div class="multiple"><h3>{}"#, escape(&e.label));
            type_chip(o, e.kind);
            o.push_str("</h3><div class=\"totals\">");
            triple(o, &sum);
            o.push_str(" dated records</div>");
            time_chart(o, &tl.bins, counts, max, tl.unit);
            o.push_str("</div>");
        }
        o.push_str("</div>");
        if tl.bins.len() == 1 {
            let _ = write!(
                o,
                "<p class=\"note\">All dated records fall in one {} ({}): the timeline fills in as documents from more dates arrive.</p>",
                tl.unit.name(),
                escape(&tl.bins[0])
            );
        }
    }
    if tl.undated > 0 {
        let _ = write!(
            o,
            "<p class=\"note\">{} without a document date {} not on the timeline.</p>",
            escape(&plural(tl.undated, "stance record", "stance records")),
            if tl.undated == 1 { "is" } else { "are" }
        );
    }
    o.push_str("</section>\n");
}

/// Panel 7: Skipped inputs.
fn skipped(o: &mut String, r: &Report) {
    section_open(o, "skipped", "Skipped inputs", "Files or lines that could not be read, from summary.json.", "s5");
    if r.skipped.is_empty() {
        o.push_str("<p><span class=\"ok\">✓</span> No input was skipped.</p>");
    } else {
        let _ = write!(
            o,
            "<p><b data-count=\"skipped\">{}</b> left out:</p>",
            escape(&plural(r.skipped.len(), "input", "inputs"))
        );
        o.push_str("<table><thead><tr><th>file</th><th class=\"num\">line</th><th>reason</th></tr></thead><tbody>");
        for s in &r.skipped {
            let _ = write!(
                o,
                r#"<tr><td class="mono">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                escape(&s.path),
                s.line.map(|l| l.to_string()).unwrap_or_else(|| "–".to_string()),
                escape(&s.reason)
            );
        }
        o.push_str("</tbody></table>");
    }
    if !r.duplicate_ids.is_empty() {
        let _ = write!(
            o,
            "<p class=\"note\">Document ids given twice (the later one was kept): {}</p>",
            r.duplicate_ids.iter().map(|d| format!("<code>{}</code>", escape(d))).collect::<Vec<_>>().join(", ")
        );
    }
    o.push_str("</section>\n");
}

/// Panel 8: Files.
fn files(o: &mut String, r: &Report) {
    section_open(o, "files", "Files", "The rest of this export set, in this folder.", "s7");
    o.push_str("<ul class=\"files\">");
    for f in &r.files {
        let _ = write!(o, r#"<li><a href="{n}">{n}</a>"#, n = escape(&f.name));
        if let Some(b) = f.bytes {
            let _ = write!(o, r#" <span class="muted">{}</span>"#, bytes(b));
        }
        if !f.what.is_empty() {
            let _ = write!(o, r#"<br><span class="what">{}</span>"#, escape(f.what));
        }
        o.push_str("</li>");
    }
    o.push_str("</ul></section>\n");
}

/// The footer, the JSON island the self-check reads, and the script.
fn footer(o: &mut String, r: &Report) {
    let t = &r.totals;

    let _ = write!(
        o,
        "<footer>Written by stancegraph{}. Numbers are counted from the same records as summary.json.</footer>\n</main>\n",
        r.version.as_ref().map(|v| format!(" {}", escape(v))).unwrap_or_default()
    );
    #[derive(Serialize)]
    struct Island<'a> {
        totals: &'a Totals,
        panels: [&'static str; 8],
    }
    let _ = writeln!(
        o,
        "<script type=\"application/json\" id=\"report-data\">{}</script>",
        script_json(&Island { totals: t, panels: PANELS })
    );
    o.push_str("<pre id=\"self-check\"></pre>\n");
    let _ = writeln!(o, "<script>{SCRIPT}</script>\n</body>\n</html>");
}

/// One small chart: favour columns up, against columns down, per bin.
pub(super) fn time_chart(o: &mut String, bins: &[String], counts: &[Counts], max: usize, unit: Unit) {
    let (w, h) = (340.0, 130.0);
    let (left, right, top, bottom) = (26.0, 8.0, 8.0, 20.0);
    let plot_w = w - left - right;
    let mid = top + (h - top - bottom) / 2.0;
    let half = (h - top - bottom) / 2.0;
    let slot = plot_w / bins.len().max(1) as f64;
    let col = (slot * 0.7).clamp(1.0, 28.0);
    let y = |n: usize| half * n as f64 / max as f64;
    let _ = write!(
        o,
        r#"<svg class="chart" width="100%" viewBox="0 0 {w} {h}" role="img" aria-label="stance per {}">"#,
        unit.name()
    );
    let _ = write!(
        o,
        r#"<line class="grid" x1="{left}" x2="{xe}" y1="{top}" y2="{top}"/><line class="grid" x1="{left}" x2="{xe}" y1="{yb}" y2="{yb}"/><text x="{tx}" y="{ty1}" text-anchor="end">{max}</text><text x="{tx}" y="{ty2}" text-anchor="end">{max}</text><text x="{tx}" y="{ty0}" text-anchor="end">0</text>"#,
        xe = w - right,
        yb = mid + half,
        tx = left - 4.0,
        ty1 = top + 8.0,
        ty2 = mid + half,
        ty0 = mid + 3.5
    );
    for (i, c) in counts.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - col) / 2.0;
        let title = format!(
            "{}{}: {} favour, {} against, {} neutral",
            if unit == Unit::Day { "" } else { unit.name() },
            if unit == Unit::Day { bins[i].clone() } else { format!(" of {}", bins[i]) },
            c.favour,
            c.against,
            c.neutral
        );
        if c.total() == 0 {
            continue;
        }
        let _ = write!(o, "<g><title>{}</title>", escape(&title));
        if c.favour > 0 {
            let _ = write!(
                o,
                r#"<rect x="{x:.2}" y="{:.2}" width="{col:.2}" height="{:.2}" fill="{FAVOUR}"/>"#,
                mid - y(c.favour),
                y(c.favour)
            );
        }
        if c.against > 0 {
            let _ = write!(
                o,
                r#"<rect x="{x:.2}" y="{mid:.2}" width="{col:.2}" height="{:.2}" fill="{AGAINST}"/>"#,
                y(c.against)
            );
        }
        if c.favour == 0 && c.against == 0 {
            // Only neutral records: a grey tick on the line.
            let _ =
                write!(o, r#"<rect x="{x:.2}" y="{:.2}" width="{col:.2}" height="3" fill="{NEUTRAL}"/>"#, mid - 1.5);
        }
        o.push_str("</g>");
    }
    let _ = write!(o, r#"<line class="zero" x1="{left}" x2="{}" y1="{mid}" y2="{mid}"/>"#, w - right);
    // Date labels: the first and last bin, and one in the middle when there is room.
    let label_at = |i: usize| left + slot * i as f64 + slot / 2.0;
    let mut marks = vec![0];
    if bins.len() > 2 {
        marks.push(bins.len() / 2);
    }
    if bins.len() > 1 {
        marks.push(bins.len() - 1);
    }
    for (k, &i) in marks.iter().enumerate() {
        let anchor = if marks.len() == 1 {
            "middle"
        } else if k == 0 {
            "start"
        } else if k == marks.len() - 1 {
            "end"
        } else {
            "middle"
        };
        let x = match anchor {
            "start" => left,
            "end" => w - right,
            _ => label_at(i),
        };
        let _ = write!(o, r#"<text x="{x:.2}" y="{}" text-anchor="{anchor}">{}</text>"#, h - 5.0, escape(&bins[i]));
    }
    o.push_str("</svg>");
}
