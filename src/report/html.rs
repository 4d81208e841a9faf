//! Pieces of HTML the panels share: escaping, numbers in words, bars,
//! chips, quotes and the evidence that opens under a row.

use super::*;

/// The type's name as `summary.json` writes it.
pub(super) fn type_name(t: EntityType) -> &'static str {
    crate::graph::entity_type_name(t)
}

/// The plural a count of this type reads with.
pub(super) fn type_plural(name: &str, n: usize) -> String {
    let word = match (name, n == 1) {
        ("person", true) => "person",
        ("person", false) => "people",
        ("country", false) => "countries",
        ("organisation", false) => "organisations",
        ("location", false) => "locations",
        (other, _) => other,
    };
    word.to_string()
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// User text is shown as written, but can't disguise itself or the page:
/// controls other than tab, newline and CR and the noncharacters are written
/// as `\u{..}` ([`export::hidden_char`]: two names that differ only by one
/// stay two); the direction overrides U+202D and U+202E, which would show a
/// name reversed, are written as `\u{202d}` and `\u{202e}`; and a text
/// holding any other bidirectional control is wrapped in U+2068 … U+2069 (an
/// isolate, as `<bdi>` makes one), so an embedding it leaves open ends with
/// it instead of reordering the page's own text after it.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{202d}' | '\u{202e}' => export::push_shown(&mut out, c),
            c if c.is_control() || export::hidden_char(c) => export::push_shown(&mut out, c),
            c => out.push(c),
        }
    }
    if s.chars().any(export::labels::bidi_control) {
        format!("\u{2068}{out}\u{2069}")
    } else {
        out
    }
}

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&`
/// as `\u` escapes, so no `</script>` or `<!--` can appear.
pub(super) fn script_json(v: &impl Serialize) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `2026-12-01T15:23:42Z` → `2026-12-01 15:23 UTC`; anything else as it is.
pub(super) fn readable_time(s: &str) -> String {
    let b = s.as_bytes();
    if s.len() == 20 && b[10] == b'T' && s.ends_with('Z') {
        format!("{} {} UTC", &s[..10], &s[11..16])
    } else {
        s.to_string()
    }
}

/// `1234567` → `1,234,567`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a whole percentage; `<1%` for a small non-zero share.
pub(super) fn pct(n: usize, total: usize) -> String {
    if total == 0 {
        return "–".to_string();
    }
    let p = n as f64 * 100.0 / total as f64;
    if n > 0 && p < 1.0 {
        "<1%".to_string()
    } else {
        format!("{}%", p.round() as i64)
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A number to one decimal, without a trailing `.0`.
pub(super) fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

pub(super) fn bytes(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{} KiB", one_decimal(n as f64 / 1024.0)),
        n => format!("{} MiB", one_decimal(n as f64 / (1024.0 * 1024.0))),
    }
}

pub(super) const FAVOUR: &str = "#1a9850";
pub(super) const AGAINST: &str = "#d73027";
pub(super) const NEUTRAL: &str = "#9a9a9a";

/// The colour of an entity type's chip (the graph's node colours).
pub(super) fn type_colour(t: EntityType) -> &'static str {
    match t {
        EntityType::Person => "#0072b2",
        EntityType::Country => "#e69f00",
        EntityType::Organisation => "#cc79a7",
        EntityType::Location => "#009e73",
        EntityType::Misc => "#56b4e9",
    }
}

/// Width of the stance-share bars, in pixels.
pub(super) const BAR_W: f64 = 200.0;

/// A bar of favour / neutral / against shares, or "no comments measured".
pub(super) fn share_bar(out: &mut String, c: &Counts) {
    let total = c.total();
    if total == 0 {
        let _ = write!(
            out,
            r#"<svg class="bar" width="{w}" height="20" viewBox="0 0 {w} 20" role="img" aria-label="no comments measured"><rect x="0.5" y="2.5" width="{iw}" height="15" rx="3" class="unmeasured"/><text x="{mid}" y="14" text-anchor="middle" class="unmeasured-text">no comments measured</text></svg>"#,
            w = BAR_W,
            iw = BAR_W - 1.0,
            mid = BAR_W / 2.0
        );
        return;
    }
    let title = format!(
        "{} favour ({}), {} neutral ({}), {} against ({}) of {}",
        c.favour,
        pct(c.favour, total),
        c.neutral,
        pct(c.neutral, total),
        c.against,
        pct(c.against, total),
        plural(total, "measured comment", "measured comments")
    );
    let _ = write!(
        out,
        r#"<svg class="bar" width="{w}" height="20" viewBox="0 0 {w} 20" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = BAR_W,
        t = escape(&title)
    );
    let mut x = 0.0;
    for (n, colour) in [(c.favour, FAVOUR), (c.neutral, NEUTRAL), (c.against, AGAINST)] {
        if n == 0 {
            continue;
        }
        let w = BAR_W * n as f64 / total as f64;
        let _ = write!(out, r#"<rect x="{x:.2}" y="2" width="{w:.2}" height="16" fill="{colour}"/>"#);
        if w >= 30.0 {
            let _ = write!(
                out,
                r#"<text x="{:.2}" y="14" text-anchor="middle" class="in-bar">{}</text>"#,
                x + w / 2.0,
                escape(&pct(n, total))
            );
        }
        x += w;
    }
    out.push_str("</svg>");
}

/// A diverging bar: against to the left of the centre, favour to the right,
/// scaled so that `max` fills a half.
pub(super) fn diverging_bar(out: &mut String, c: &Counts, max: usize) {
    let (w, h) = (100.0, 20.0);
    let half = w / 2.0;
    let scale = if max == 0 { 0.0 } else { (half - 2.0) / max as f64 };
    let fa = c.favour as f64 * scale;
    let aa = c.against as f64 * scale;
    let title = format!("{} favour, {} against, {} neutral", c.favour, c.against, c.neutral);
    let _ = write!(
        out,
        r#"<svg class="bar" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><rect x="{ax:.2}" y="3" width="{aa:.2}" height="14" fill="{AGAINST}"/><rect x="{half}" y="3" width="{fa:.2}" height="14" fill="{FAVOUR}"/><line x1="{half}" x2="{half}" y1="0" y2="{h}" class="axis"/></svg>"#,
        t = escape(&title),
        ax = half - aa
    );
}

/// A small stance triple: `3 · 1 · 2` in the stance colours.
pub(super) fn triple(out: &mut String, c: &Counts) {
    if c.total() == 0 {
        out.push_str(r#"<span class="muted">–</span>"#);
        return;
    }
    let _ = write!(
        out,
        r#"<span class="triple" title="favour · neutral · against"><b class="fav">{}</b> · <b class="neu">{}</b> · <b class="aga">{}</b></span>"#,
        c.favour, c.neutral, c.against
    );
}

pub(super) fn type_chip(out: &mut String, t: EntityType) {
    let _ = write!(out, r#"<span class="chip" style="--c:{}">{}</span>"#, type_colour(t), type_name(t));
}

pub(super) fn key_number(out: &mut String, key: &str, label: &str, n: usize, note: &str) {
    let _ = write!(
        out,
        r#"<div class="kn"><div class="kn-value" data-key="{key}" data-value="{n}">{}</div><div class="kn-label">{}</div>"#,
        thousands(n),
        escape(label)
    );
    if !note.is_empty() {
        let _ = write!(out, r#"<div class="kn-note">{}</div>"#, escape(note));
    }
    out.push_str("</div>");
}

/// Opens a panel; `class` sets its width: `wide` (the whole row), `s7` or
/// `s5` (7 or 5 twelfths), empty (half).
pub(super) fn section_open(out: &mut String, panel: &str, title: &str, lead: &str, class: &str) {
    let _ =
        write!(out, r#"<section class="panel {class}" data-panel="{panel}" id="{panel}"><h2>{}</h2>"#, escape(title));
    if !lead.is_empty() {
        let _ = write!(out, r#"<p class="lead">{lead}</p>"#);
    }
}

/// A quote, escaped, with its mention in `<mark>`.
pub(super) fn quote_html(q: &Quote) -> String {
    let chars: Vec<char> = q.text.chars().collect();
    match q.mention {
        Some([s, e]) if s < e && e <= chars.len() => {
            let part = |r: std::ops::Range<usize>| escape(&chars[r].iter().collect::<String>());
            format!("{}<mark>{}</mark>{}", part(0..s), part(s..e), part(e..chars.len()))
        }
        _ => escape(&q.text),
    }
}

/// One quoted comment: the quote, then who, where, when, how sure.
pub(super) fn quote_block(out: &mut String, q: &QuoteRow, with_entity: bool) {
    let class = match q.stance {
        Stance::Favour => "fav",
        Stance::Against => "aga",
        Stance::Neutral => "neu",
    };
    let _ = write!(
        out,
        r#"<blockquote class="q {class}" data-comment-id="{}" data-stance="{}"><q>{}</q><div class="q-by">{}"#,
        escape(&clip(&q.comment_id, 120)),
        q.stance.as_str(),
        quote_html(&q.quote),
        escape(&q.author)
    );
    let _ = write!(out, " · <i>{}</i>", escape(&q.title));
    if let Some(d) = &q.date {
        let _ = write!(out, " · {}", escape(d));
    }
    let _ = write!(
        out,
        r#" · <span title="the model's probability of {}">{}% sure</span>"#,
        q.stance.as_str(),
        (q.confidence * 100.0).round()
    );
    if with_entity {
        let _ = write!(out, " · {} {}", q.stance.as_str(), escape(&q.entity));
    }
    if q.implicit {
        out.push_str(r#" · <span class="imp" title="the comment does not name the entity: it replies to a comment that does, or the entity leads the document">implicit</span>"#);
    }
    out.push_str("</div></blockquote>");
}

/// An entity row's evidence: its favour and against comments, in a
/// `<details>` that opens in place.
pub(super) fn evidence_details(out: &mut String, id: &str, ev: &Evidence, c: &Counts) {
    let _ = write!(
        out,
        r#"<details class="ev" data-entity="{}" data-favour="{}" data-against="{}"><summary>the comments: {} in favour · {} against</summary><div class="sides">"#,
        escape(id),
        c.favour,
        c.against,
        c.favour,
        c.against
    );
    for (quotes, more, class, word) in
        [(&ev.favour, ev.favour_more, "fav", "in favour"), (&ev.against, ev.against_more, "aga", "against")]
    {
        let _ = write!(out, r#"<div><div class="side-h {class}">{word}, most confident first</div>"#);
        if quotes.is_empty() {
            out.push_str(r#"<div class="muted">none</div>"#);
        }
        for q in quotes {
            quote_block(out, q, false);
        }
        if more > 0 {
            let _ = write!(out, r#"<div class="more" data-more="{more}">and {} more {word}</div>"#, thousands(more));
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    if c.neutral > 0 {
        let _ = write!(
            out,
            r#"<p class="note">{} not quoted.</p>"#,
            escape(&plural(c.neutral, "neutral comment", "neutral comments"))
        );
    }
    out.push_str("</details>");
}

/// The evidence row under an entity row (`cols` wide), when it has a side.
pub(super) fn evidence_row(out: &mut String, r: &Report, e: &EntityRow, cols: usize) {
    if e.stance.favour + e.stance.against == 0 {
        return;
    }
    if let Some(ev) = r.evidence.get(&e.id) {
        let _ = write!(out, r#"<tr class="ev"><td colspan="{cols}">"#);
        evidence_details(out, &e.id, ev, &e.stance);
        out.push_str("</td></tr>");
    }
}

/// A camp's members, all of them up to [`CAMP_MEMBERS_LISTED`], and the
/// comments that make it.
pub(super) fn camp_details(out: &mut String, c: &CampRow) {
    out.push_str(
        r#"<details class="ev"><summary>members and the comments behind the camp</summary><div class="members-all">"#,
    );
    let listed: Vec<String> =
        c.members.iter().take(CAMP_MEMBERS_LISTED).map(|m| escape(&clip(m, AUTHOR_CHARS))).collect();
    out.push_str(&listed.join(", "));
    if c.members.len() > CAMP_MEMBERS_LISTED {
        let _ = write!(out, r#" <span class="muted">and {} more</span>"#, c.members.len() - CAMP_MEMBERS_LISTED);
    }
    out.push_str("</div>");
    if c.evidence.quotes.is_empty() {
        out.push_str(r#"<div class="muted">no comment on what the camp stands for</div>"#);
    }
    for q in &c.evidence.quotes {
        quote_block(out, q, true);
    }
    if c.evidence.more > 0 {
        let _ = write!(
            out,
            r#"<div class="more" data-more="{}">and {} more</div>"#,
            c.evidence.more,
            thousands(c.evidence.more)
        );
    }
    out.push_str("</details>");
}
