// moneytrail workspace: one page, views chosen by the address's #fragment, every figure read
// from the server's API (which aggregates in DuckDB) and every text put in as text, never as
// HTML. Money arrives as decimal strings and is only reformatted as strings, never as floats.
"use strict";

const token = document.querySelector('meta[name="moneytrail-token"]').content;
const view = document.getElementById("view");
const statusLine = document.getElementById("status");
const authorInput = document.getElementById("author");
authorInput.value = localStorage.getItem("moneytrail-author") || document.querySelector('meta[name="moneytrail-author"]').content;
authorInput.addEventListener("change", () => localStorage.setItem("moneytrail-author", authorInput.value.trim()));

// api calls the server with the access token in its header.
async function api(path, params, body) {
  const u = new URL("/api/" + path, location.origin);
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") u.searchParams.set(k, v);
  const started = performance.now();
  const opts = { headers: { "X-API-Key": token } };
  if (body) { opts.method = "POST"; opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  const res = await fetch(u, opts);
  const data = await res.json();
  statusLine.textContent = path + " " + Math.round(performance.now() - started) + " ms";
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

// h makes an element: h("a", {href: "#/"}, "text", child, ...). Strings become text nodes.
function h(tag, attrs, ...children) {
  const svgTags = ["svg", "g", "rect", "text", "path", "line", "title", "tspan", "circle", "defs", "marker"];
  const el = svgTags.includes(tag) ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

// money formats a decimal string with thousands separators and two decimals, by string
// operations alone: "25020.57" -> "25,020.57", "-3" -> "-3.00".
function money(v) {
  if (v === null || v === undefined || v === "") return "";
  let s = String(v), sign = "";
  if (s.startsWith("-")) { sign = "-"; s = s.slice(1); }
  let [int, frac = ""] = s.split(".");
  frac = (frac + "00").slice(0, Math.max(2, frac.replace(/0+$/, "").length));
  int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + int + "." + frac;
}
const day = (v) => (v ? String(v).slice(0, 10) : "");
const link = (href, text, cls) => h("a", { href, class: cls }, text);
const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();
const accountLink = (id, name) => link("#/account?" + q({ id }), name || id);
const partyLink = (id, name) => link("#/party?" + q({ id }), name || id);
function subjectLink(kind, id, name) {
  if (kind === "party") return partyLink(id, name);
  if (kind === "account") return accountLink(id, name);
  return h("span", {}, name || id);
}
const chip = (text, cls, href, title) => (href ? h("a", { class: "chip " + (cls || ""), href, title }, text) : h("span", { class: "chip " + (cls || ""), title }, text));
const card = (title, ...body) => h("section", { class: "card" }, title ? h("h2", {}, title) : null, ...body);

// table renders rows under columns [{key, label, num, cell: (row) => node}].
function table(cols, rows, empty) {
  if (!rows || rows.length === 0) return h("p", { class: "detail" }, empty || "none");
  return h("table", {},
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: c.num ? "num" : "" }, c.label)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, cols.map((c) => h("td", { class: c.num ? "num" : "" }, c.cell ? c.cell(r) : (c.num ? money(r[c.key]) : r[c.key] ?? "")))))));
}

function show(...nodes) { view.replaceChildren(...nodes); window.scrollTo(0, 0); }
function fail(err) { show(h("p", { class: "error" }, String(err.message || err))); }

const routes = {};
async function route() {
  const hash = location.hash.slice(1) || "/";
  const [path, search] = hash.split("?");
  const params = Object.fromEntries(new URLSearchParams(search || ""));
  const fn = routes[path] || routes["/"];
  try { await fn(params); } catch (e) { fail(e); }
}
window.addEventListener("hashchange", route);
document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const v = document.getElementById("q").value.trim();
  if (v) location.hash = "#/search?" + q({ q: v });
});

function suspectRows(list) {
  return table([
    { label: "#", cell: (_, i) => "" },
    { label: "who", cell: (r) => h("span", {}, subjectLink(r.kind, r.id, r.name), r.country ? h("span", { class: "detail" }, " " + r.country) : null) },
    { label: "why (rules that flagged them)", cell: (r) => r.reasons.map((x) => chip(x.rule_id, x.severity + (x.tag ? " " + x.tag : ""), "#/finding?" + q({ rule: x.rule_id, subject: x.subject }), x.title + (x.tag ? " (" + x.tag + ")" : ""))) },
    { label: "largest", num: true, cell: (r) => money(r.largest_amount) },
  ], list, "no rule run in the case yet (moneytrail rules run)");
}

routes["/"] = async () => {
  const d = await api("case");
  const c = d.case, a = d.attention, fr = d.freeze;
  const stat = (n, label, warn, href) => h("div", { class: "stat" + (warn && n > 0 ? " warn" : "") }, h("b", {}, href ? link(href, String(n)) : String(n)), h("span", {}, label));
  const suspects = suspectRows(d.suspects);
  suspects.querySelectorAll("tbody tr").forEach((tr, i) => (tr.firstChild.textContent = String(i + 1)));
  show(
    h("h1", {}, "Case at a glance"),
    h("p", { class: "sub" }, c.path, " · ", c.transactions + " transactions from " + c.sources + " files, " + day(c.first_at) + " to " + day(c.last_at) + " · base currency " + c.base_currency, c.read_only ? " · read-only" : ""),
    card("Needs attention",
      h("div", { class: "stats" },
        stat(a.unreconciled, "statements that do not reconcile", true, "#/attention"),
        stat(a.gaps, "gaps between statements", true, "#/attention"),
        stat(a.chain_breaks, "openings ≠ previous closing", true, "#/attention"),
        stat(a.quarantined, "records in quarantine", true, "#/attention"),
        stat(a.fx_missing, "transactions without a rate", true, "#/attention"),
        stat(a.undisclosed_accounts, "accounts paid without their statements", false, "#/attention"),
        stat(c.accounts, "accounts"), stat(c.parties, "parties"), stat(c.sources, "source files", false, "#/sources"))),
    h("div", { class: "grid two" },
      card("Top suspects", suspects, h("p", {}, link("#/suspects", "all suspects"))),
      card("What can be frozen" + (fr.method ? " (" + fr.method + ")" : ""),
        fr.total ? h("p", {}, h("span", { class: "big" }, money(fr.total.total) + " " + c.base_currency), h("span", { class: "detail" }, " in " + fr.total.accounts + " accounts, " + money(fr.total.in_statement_accounts) + " where the statements are in the case")) : null,
        freezeTable(fr.rows, "no trace run in the case yet (moneytrail trace)"),
        h("p", {}, link("#/freeze", "all holdings")))));
};

function freezeTable(rows, empty) {
  return table([
    { label: "account", cell: (r) => h("span", {}, accountLink(r.account_id, r.name || r.account_id), h("div", { class: "detail mono" }, r.account_id)) },
    { label: "bank", cell: (r) => [r.bank || "", r.country ? " " + r.country : ""].join("") },
    { label: "statements", cell: (r) => (r.has_statement ? "in the case" : "request them") },
    { label: "traced amount", num: true, cell: (r) => money(r.amount) + " " + (r.currency || "") },
  ], rows, empty);
}

routes["/suspects"] = async () => {
  const d = await api("suspects");
  const t = suspectRows(d.suspects);
  t.querySelectorAll("tbody tr").forEach((tr, i) => (tr.firstChild.textContent = String(i + 1)));
  show(h("h1", {}, "Suspects"), h("p", { class: "sub" }, "rule run " + (d.runs.rules_run || "none") + "; ranked by distinct high-severity rules, then distinct rules, then the largest finding"), card(null, t));
};

routes["/freeze"] = async (p) => {
  const d = await api("freeze", { method: p.method });
  show(h("h1", {}, "What can be frozen"),
    h("div", { class: "controls" }, "method:", (d.methods || []).map((m) => link("#/freeze?" + q({ method: m }), m, "chip" + (m === d.method ? " high" : "")))),
    h("p", { class: "sub" }, "trace run " + (d.trace_run || "none") + "; traced money left in accounts under " + (d.method || "-")),
    card(null, freezeTable(d.rows, "no trace run in the case")));
};

routes["/search"] = async (p) => {
  document.getElementById("q").value = p.q || "";
  const d = await api("search", { q: p.q });
  show(h("h1", {}, "Search: " + d.q),
    card(null, table([
      { label: "kind", key: "kind" },
      { label: "name", cell: (r) => subjectLink(r.kind, r.id, r.name) },
      { label: "id", cell: (r) => h("span", { class: "mono" }, r.id) },
      { label: "country", key: "country" },
      { label: "detail", cell: (r) => [r.detail || "", r.accounts !== null && r.accounts !== undefined ? " · " + r.accounts + " accounts" : ""].join("") },
    ], d.results, "nothing matches")));
};

// noRate says how many transactions a sum leaves out for want of an exchange rate.
const noRate = (r) => (r && r.without_rate > 0 ? ", " + r.without_rate + " without a rate (not in the sum)" : "");

function flowCards(f, txnParams) {
  const dirTable = (dir) => table([
    { label: "counterparty", cell: (r) => h("span", {}, accountLink(r.counterparty, r.name), h("div", { class: "detail mono" }, r.counterparty)) },
    { label: "country", key: "country" },
    { label: "txns", cell: (r) => h("span", {}, link("#/txns?" + q({ ...txnParams, counterparty: r.counterparty, dir }), String(r.txns)), r.without_rate > 0 ? h("div", { class: "detail" }, r.without_rate + " without a rate") : null) },
    { label: "amount", num: true, key: "amount" },
    { label: "period", cell: (r) => day(r.first_at) + " – " + day(r.last_at) },
  ], f.counterparties.filter((r) => r.direction === dir));
  const tot = (dir) => f.totals.find((r) => r.direction === dir) || { txns: 0, amount: "0" };
  const small = (rows, key) => table([{ label: key, key }, { label: "txns", key: "txns", cell: (r) => String(r.txns) }, { label: "amount", num: true, key: "amount" }], rows);
  return [
    h("div", { class: "stats" },
      h("div", { class: "stat" }, h("b", {}, money(tot("in").amount) + " " + f.base_currency), h("span", {}, "in, " + tot("in").txns + " txns" + noRate(tot("in")))),
      h("div", { class: "stat" }, h("b", {}, money(tot("out").amount) + " " + f.base_currency), h("span", {}, "out, " + tot("out").txns + " txns" + noRate(tot("out")))),
      h("div", { class: "stat" }, h("b", {}, link("#/txns?" + q(txnParams), "all transactions")), h("span", {}, "with source file and record"))),
    h("div", { class: "grid" },
      card("Money in, by counterparty", dirTable("in")),
      card("Money out, by counterparty", dirTable("out"))),
    h("div", { class: "grid" },
      card("In by channel", small(f.channels.filter((r) => r.direction === "in"), "channel")),
      card("Out by channel", small(f.channels.filter((r) => r.direction === "out"), "channel")),
      card("By counterparty country", table([{ label: "direction", key: "direction" }, { label: "country", key: "country" }, { label: "txns", cell: (r) => String(r.txns) }, { label: "amount", num: true, key: "amount" }], f.countries))),
  ];
}

// notesCard lists the notes on a subject and a form to add one; tags are the decisions the
// kind takes (a finding: relevant or dismissed).
function notesCard(kind, subject, notes, tags, runID) {
  const text = h("textarea", { id: "note-text", placeholder: "Add a note (stored in the case with your name and the time)" });
  const msg = h("span", { class: "detail" });
  const send = async (tag) => {
    try {
      await api("notes", null, { subject_kind: kind, subject, text: text.value, tag: tag || "", author: authorInput.value.trim(), run_id: runID || "" });
      route();
    } catch (e) { msg.textContent = e.message; }
  };
  return card("Notes",
    h("ul", { class: "notes" }, (notes || []).map((n) => h("li", { class: "note" }, n.tag ? chip(n.tag, n.tag) : null, h("span", { class: "note-text" }, n.text), h("div", { class: "detail" }, n.author + ", " + n.created_at + " UTC")))),
    text,
    h("div", { class: "controls" }, h("button", { class: "primary", id: "note-add", onclick: () => send("") }, "Add note"),
      (tags || []).map((t) => h("button", { onclick: () => send(t), "data-tag": t }, "Mark " + t)), msg));
}

routes["/account"] = async (p) => {
  const d = await api("account", { id: p.id });
  const a = d.account;
  const name = a.holder_name || a.party_name || a.account_id;
  show(
    h("h1", {}, name),
    h("p", { class: "sub" }, h("span", { class: "mono" }, a.account_id), " · " + [a.kind, a.bank, a.bic, a.country, a.currency].filter(Boolean).join(" · "),
      a.party_id ? h("span", {}, " · party ", partyLink(a.party_id, a.party_name || a.party_id)) : null,
      " · ", a.has_statement ? "statements in the case" : "no statement in the case"),
    h("div", { class: "controls" }, h("a", { class: "button", href: "#/graph?" + q({ account: a.account_id }) }, "Flow graph from here")),
    ...flowCards(d.flows, { account: a.account_id }),
    card("Balance over time (" + (a.currency || "account currency") + ")", balanceChart(d.balance)),
    card("Statements", table([
      { label: "file", key: "file_name" }, { label: "period", cell: (r) => day(r.period_start) + " – " + day(r.period_end) },
      { label: "opening", num: true, key: "opening" }, { label: "closing", num: true, key: "closing" },
      { label: "reconciled", cell: (r) => (r.reconciled === true ? "yes" : r.reconciled === false ? chip("no", "high") : "") },
      { label: "chain", cell: (r) => (r.chain_ok === false ? chip("opening ≠ previous closing", "high") : r.gap_days > 1 ? chip("gap " + r.gap_days + " days", "medium") : "") },
    ], d.statements, "no statement of this account in the case")),
    notesCard("account", a.account_id, d.notes));
};

routes["/party"] = async (p) => {
  const d = await api("party", { id: p.id });
  const pt = d.party;
  show(
    h("h1", {}, pt.name || pt.party_id),
    h("p", { class: "sub" }, [pt.kind, pt.country, pt.birth_date ? "born " + pt.birth_date : ""].filter(Boolean).join(" · "), " · party ", h("span", { class: "mono" }, pt.party_id)),
    card("Accounts and names across banks and operators", table([
      { label: "account", cell: (r) => h("span", {}, accountLink(r.account_id, r.holder_name || r.account_id), h("div", { class: "detail mono" }, r.account_id)) },
      { label: "kind", key: "kind" }, { label: "bank", cell: (r) => [r.bank, r.bic].filter(Boolean).join(" ") },
      { label: "link", cell: (r) => [r.role, r.reason].filter(Boolean).join(": ") },
      { label: "txns", cell: (r) => String(r.txns) },
      { label: "", cell: (r) => link("#/graph?" + q({ account: r.account_id }), "graph") },
    ], d.accounts)),
    card("Findings", table([
      { label: "rule", cell: (r) => link("#/finding?" + q({ rule: r.rule_id, subject: r.subject }), r.rule_id) },
      { label: "detail", key: "detail" }, { label: "amount", num: true, key: "amount" },
    ], d.findings, "no finding on this party or its accounts")),
    ...flowCards(d.flows, { party: pt.party_id }),
    notesCard("party", pt.party_id, d.notes));
};

routes["/finding"] = async (p) => {
  const d = await api("finding", { rule: p.rule, subject: p.subject });
  const f = d.finding;
  show(
    h("h1", {}, f.title || f.rule_id),
    h("p", { class: "sub" }, chip(f.severity || "", f.severity), " rule ", h("span", { class: "mono" }, f.rule_id), " (" + f.pack + " " + f.pack_version + ") on ", h("span", { class: "mono" }, f.subject), " · run " + f.run_id),
    card(null, h("p", {}, f.detail || ""), h("p", {}, "amount ", h("b", {}, money(f.amount)), f.score !== null ? " · score " + f.score : "", " · " + f.evidence_count + " transactions of evidence")),
    card("Evidence", txnTable(d.txns)),
    notesCard("finding", f.rule_id + " " + f.subject, d.notes, ["relevant", "dismissed"], f.run_id));
};

function txnTable(rows) {
  return table([
    { label: "booked", cell: (r) => day(r.booked_at) },
    { label: "from", cell: (r) => h("span", {}, accountLink(r.from_account, r.from_name), h("div", { class: "detail mono" }, r.from_account)) },
    { label: "to", cell: (r) => h("span", {}, accountLink(r.to_account, r.to_name), h("div", { class: "detail mono" }, r.to_account)) },
    { label: "amount", num: true, cell: (r) => money(r.amount) + " " + r.currency },
    { label: "base", num: true, key: "base_amount" },
    { label: "channel", key: "channel" },
    { label: "reference", cell: (r) => h("span", {}, r.reference || "", r.counterparty_raw ? h("div", { class: "detail" }, r.counterparty_raw) : null) },
    { label: "source", cell: (r) => h("span", { class: "mono", title: "sha256 " + r.source_sha256 }, r.source_file + " #" + r.source_record) },
    { label: "txn", cell: (r) => h("span", { class: "mono" }, r.txn_id) },
  ], rows, "no transactions");
}

routes["/txns"] = async (p) => {
  const offset = Number(p.offset || 0);
  const d = await api("txns", { ...p, limit: 100 });
  const pager = h("div", { class: "controls" },
    offset > 0 ? link("#/txns?" + q({ ...p, offset: Math.max(0, offset - 100) }), "previous 100", "button") : null,
    offset + d.txns.length < d.total ? link("#/txns?" + q({ ...p, offset: offset + 100 }), "next 100", "button") : null);
  const about = [p.account && "account " + p.account, p.party && "party " + p.party, p.counterparty && "with " + p.counterparty, p.dir && "direction " + p.dir].filter(Boolean).join(", ");
  show(h("h1", {}, "Transactions"), h("p", { class: "sub" }, about + " · " + d.total + " transactions, " + money(d.total_base_amount) + " in the base currency" + noRate(d) + "; rows " + (offset + 1) + "–" + (offset + d.txns.length)),
    pager, card(null, txnTable(d.txns)));
};

routes["/sources"] = async () => {
  const d = await api("sources");
  show(h("h1", {}, "Sources"), card(null, table([
    { label: "#", key: "source_id" }, { label: "file", key: "file_name" }, { label: "format", key: "format" },
    { label: "records", cell: (r) => r.loaded + " of " + r.records + (r.quarantined ? ", " + r.quarantined + " quarantined" : "") },
    { label: "account", cell: (r) => (r.statement_account ? accountLink(r.statement_account) : "") },
    { label: "period", cell: (r) => (r.period_start ? day(r.period_start) + " – " + day(r.period_end) : "") },
    { label: "opening", num: true, key: "opening_balance" }, { label: "closing", num: true, key: "closing_balance" },
    { label: "reconciled", cell: (r) => (r.reconciled === true ? "yes" : r.reconciled === false ? chip("no", "high") : "") },
    { label: "sha256", cell: (r) => h("span", { class: "mono", title: r.sha256 }, r.sha256.slice(0, 16) + "…") },
  ], d.sources)));
};

routes["/attention"] = async () => {
  const d = await api("attention");
  show(h("h1", {}, "Needs attention"),
    card("Statements that do not reconcile (opening + credits − debits ≠ closing)", table([
      { label: "account", cell: (r) => accountLink(r.account_id, r.name) }, { label: "file", key: "file_name" },
      { label: "period", cell: (r) => day(r.period_start) + " – " + day(r.period_end) },
      { label: "closing", num: true, key: "closing" }, { label: "computed", num: true, key: "computed_closing" }, { label: "difference", num: true, key: "difference" },
    ], d.unreconciled)),
    card("Gaps and breaks between statements (periods to request from the bank)", table([
      { label: "account", cell: (r) => accountLink(r.account_id, r.name) },
      { label: "missing", cell: (r) => day(r.previous_end) + " – " + day(r.period_start) + (r.gap_days > 1 ? " (" + r.gap_days + " days)" : "") },
      { label: "previous closing", num: true, key: "previous_closing" }, { label: "opening", num: true, key: "opening" },
    ], d.gaps)),
    card("Quarantine", table([{ label: "file", key: "file_name" }, { label: "records", cell: (r) => String(r.records) }, { label: "reasons", key: "reasons" }], d.quarantine)),
    card("Transactions without an exchange rate", table([{ label: "currency", key: "currency" }, { label: "txns", cell: (r) => String(r.txns) }, { label: "from", cell: (r) => day(r.first_day) }, { label: "to", cell: (r) => day(r.last_day) }], d.fx_missing)),
    card("Accounts paid to or from, without their statements in the case", table([
      { label: "account", cell: (r) => h("span", {}, accountLink(r.account_id, r.name || r.account_id), h("div", { class: "detail mono" }, r.account_id)) },
      { label: "bank", cell: (r) => [r.bank, r.country].filter(Boolean).join(" ") }, { label: "txns", cell: (r) => String(r.txns) },
      { label: "received", num: true, key: "credits" }, { label: "paid", num: true, key: "debits" },
    ], d.undisclosed)));
};

routes["/notes"] = async () => {
  const d = await api("notes");
  const target = (n) => {
    if (n.subject_kind === "account") return accountLink(n.subject);
    if (n.subject_kind === "party") return partyLink(n.subject);
    if (n.subject_kind === "finding") { const [rule, ...rest] = n.subject.split(" "); return link("#/finding?" + q({ rule, subject: rest.join(" ") }), n.subject); }
    return h("span", { class: "mono" }, n.subject);
  };
  show(h("h1", {}, "Notes"), card(null, table([
    { label: "when (UTC)", key: "created_at" }, { label: "author", key: "author" }, { label: "about", cell: (n) => h("span", {}, n.subject_kind + " ", target(n)) },
    { label: "tag", cell: (n) => (n.tag ? chip(n.tag, n.tag) : "") }, { label: "note", key: "text" },
  ], d.notes, "no notes yet")));
};

// balanceChart draws the balance series as an SVG line; the numbers only place points (the
// exact figures are in the tooltips and tables).
function balanceChart(points) {
  if (!points || points.length === 0) return h("p", { class: "detail" }, "no movements");
  const W = 1000, H = 220, L = 70, B = 24, T = 10;
  const ys = points.map((p) => Number(p.balance));
  const lo = Math.min(0, ...ys), hi = Math.max(0, ...ys) || 1;
  const t0 = Date.parse(points[0].day), t1 = Date.parse(points[points.length - 1].day) || t0 + 1;
  const x = (d) => L + ((Date.parse(d) - t0) / Math.max(1, t1 - t0)) * (W - L - 10);
  const y = (v) => T + (1 - (v - lo) / (hi - lo || 1)) * (H - T - B);
  let d = "";
  points.forEach((p, i) => { const px = x(p.day), py = y(Number(p.balance)); d += (i ? "H" + px.toFixed(1) + "V" : "M" + px.toFixed(1) + ",") + py.toFixed(1); });
  return h("svg", { class: "chart", viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none" },
    h("line", { class: "axis", x1: L, x2: W - 10, y1: y(0), y2: y(0) }),
    h("text", { x: 4, y: y(hi) + 4 }, money(String(hi.toFixed(0)))), h("text", { x: 4, y: y(lo) }, money(String(lo.toFixed(0)))),
    h("text", { x: L, y: H - 6 }, day(points[0].day)), h("text", { x: W - 90, y: H - 6 }, day(points[points.length - 1].day)),
    h("path", { class: "line", d }),
    points.map((p) => h("circle", { cx: x(p.day), cy: y(Number(p.balance)), r: 6, fill: "transparent" }, h("title", {}, day(p.day) + ": " + money(p.balance)))));
}

// The flow graph: accounts in columns by the direction money took from the start account
// (payers to the left, receivers to the right); clicking a node expands its neighbours above
// the minimum amount, clicking again collapses what that expansion added.
const graph = { nodes: new Map(), edges: new Map(), min: "1000", dir: "both", from: "", to: "", root: "" };

function addNode(id, name, kind, col, by) {
  // An account without a holder's name (cash, a merchant) is shown by its kind, its id below.
  if (!name || name === id) name = kind || "account";
  if (!graph.nodes.has(id)) graph.nodes.set(id, { id, name, kind: kind || "", col, by, expanded: false });
  return graph.nodes.get(id);
}

async function expand(id) {
  const n = graph.nodes.get(id);
  if (n.expanded) { collapse(id); drawGraph(); return; }
  const d = await api("graph", { account: id, min: graph.min, dir: graph.dir, from: graph.from, to: graph.to });
  for (const e of d.edges) {
    const outgoing = e.from_account === id;
    const other = outgoing ? e.to_account : e.from_account;
    addNode(other, outgoing ? e.to_name : e.from_name, outgoing ? e.to_kind : e.from_kind, n.col + (outgoing ? 1 : -1), id);
    graph.edges.set(e.from_account + "\u0000" + e.to_account, e);
  }
  n.expanded = true;
  drawGraph();
}

function collapse(id) {
  const n = graph.nodes.get(id);
  n.expanded = false;
  for (const [oid, o] of graph.nodes) if (o.by === id && oid !== graph.root) { collapse(oid); graph.nodes.delete(oid); }
  for (const [k, e] of graph.edges) if (!graph.nodes.has(e.from_account) || !graph.nodes.has(e.to_account)) graph.edges.delete(k);
  for (const [k, e] of graph.edges) {
    const a = graph.nodes.get(e.from_account), b = graph.nodes.get(e.to_account);
    if (!a.expanded && !b.expanded) graph.edges.delete(k);
  }
}

function drawGraph() {
  const svg = document.getElementById("graph");
  if (!svg) return;
  const layer = h("g", {});
  svg.replaceChildren(h("defs", {}, h("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" },
    h("path", { d: "M0,0 L10,5 L0,10 z", fill: "#7d8ea3" }))), layer);
  const cols = new Map();
  for (const n of graph.nodes.values()) { if (!cols.has(n.col)) cols.set(n.col, []); cols.get(n.col).push(n); }
  // Nodes first, to measure their names: a box is as wide as its text, never cut.
  const boxes = new Map();
  for (const n of graph.nodes.values()) {
    const g = h("g", { class: "node kind-" + n.kind + (n.id === graph.root ? " root" : "") + (n.expanded ? " expanded" : ""), "data-id": n.id, onclick: () => expand(n.id).catch(fail), ondblclick: () => (location.hash = "#/account?" + q({ id: n.id })) },
      h("title", {}, n.name + "\n" + n.id + "\nclick: expand or collapse · double-click: open"),
      h("rect", { x: 0, y: 0, height: 40 }),
      h("text", { class: "name", x: 8, y: 17 }, n.name),
      h("text", { class: "id", x: 8, y: 32 }, n.id));
    layer.append(g);
    const w = Math.max(...[...g.querySelectorAll("text")].map((t) => t.getComputedTextLength())) + 16;
    g.querySelector("rect").setAttribute("width", w);
    boxes.set(n.id, { g, w });
  }
  const colKeys = [...cols.keys()].sort((a, b) => a - b);
  let x = 20;
  const pos = new Map();
  for (const c of colKeys) {
    const list = cols.get(c);
    const width = Math.max(...list.map((n) => boxes.get(n.id).w));
    list.forEach((n, i) => { pos.set(n.id, { x, y: 20 + i * 58, w: boxes.get(n.id).w }); boxes.get(n.id).g.setAttribute("transform", "translate(" + x + "," + (20 + i * 58) + ")"); });
    x += width + 170;
  }
  const amounts = [...graph.edges.values()].map((e) => Number(e.amount));
  const top = Math.max(1, ...amounts);
  const edgeLayer = h("g", {});
  for (const e of graph.edges.values()) {
    const a = pos.get(e.from_account), b = pos.get(e.to_account);
    if (!a || !b) continue;
    const forward = a.x < b.x;
    const x1 = forward ? a.x + a.w : a.x, y1 = a.y + 20, x2 = forward ? b.x : b.x + b.w, y2 = b.y + 20;
    const bend = forward ? 80 : -80;
    const path = "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2;
    edgeLayer.append(h("g", { class: "edge" },
      h("path", { d: path, "stroke-width": (1 + 7 * Math.sqrt(Number(e.amount) / top)).toFixed(1), "marker-end": "url(#arrow)" }, h("title", {}, e.from_name + " → " + e.to_name + ": " + money(e.amount) + " in " + e.txns + " txns, " + day(e.first_at) + " – " + day(e.last_at))),
      h("text", labelAt(x1, y1, x2, y2, forward, graph.nodes.get(e.from_account).expanded), money(e.amount) + " (" + e.txns + ")")));
  }
  layer.prepend(edgeLayer);
  const bb = layer.getBBox();
  svg.setAttribute("viewBox", [bb.x - 20, bb.y - 20, Math.max(bb.width + 40, 600), Math.max(bb.height + 40, 300)].join(" "));
}

// labelAt places an edge's label just beside the end away from the expanded account, where
// the edges fanning out of it are apart, and outside the boxes.
function labelAt(x1, y1, x2, y2, forward, nearReceiver) {
  if (nearReceiver) return { x: forward ? x2 - 12 : x2 + 12, y: y2 - 6, "text-anchor": forward ? "end" : "start" };
  return { x: forward ? x1 + 8 : x1 - 8, y: y1 - 6, "text-anchor": forward ? "start" : "end" };
}

routes["/graph"] = async (p) => {
  graph.nodes.clear(); graph.edges.clear();
  graph.min = p.min ?? graph.min; graph.dir = p.dir || "both"; graph.from = p.from || ""; graph.to = p.to || "";
  const d = await api("account", { id: p.account, limit: 1 });
  graph.root = p.account;
  const a = d.account;
  addNode(a.account_id, a.holder_name || a.party_name || a.account_id, a.kind, 0, "");
  const min = h("input", { type: "number", id: "graph-min", value: graph.min, min: 0, step: 100 });
  const dir = h("select", { id: "graph-dir" }, ["both", "in", "out"].map((v) => h("option", { value: v, selected: v === graph.dir }, v)));
  const from = h("input", { type: "date", id: "graph-from", value: graph.from }), to = h("input", { type: "date", id: "graph-to", value: graph.to });
  const apply = () => (location.hash = "#/graph?" + q({ account: p.account, min: min.value, dir: dir.value, from: from.value, to: to.value }));
  show(h("h1", {}, "Flow graph from " + (a.holder_name || a.account_id)),
    h("p", { class: "sub" }, "Money between accounts, in the base currency, summed over the period. Click an account to expand its neighbours (again to collapse); double-click to open it."),
    h("div", { class: "controls" }, "at least", min, "direction", dir, "from", from, "to", to, h("button", { onclick: apply }, "Apply")),
    h("svg", { id: "graph", xmlns: "http://www.w3.org/2000/svg" }));
  await expand(a.account_id);
};

route();
