// Browser tests of the built handbook, in Debian's Chromium driven by playwright-core.
// Run by run.sh, which builds the sites and passes their folders in PB_SAMPLE_SITE/PB_GAPS_SITE.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const SAMPLE = process.env.PB_SAMPLE_SITE;
const GAPS = process.env.PB_GAPS_SITE;
const LARGE = process.env.PB_LARGE_SITE;
const ACKS = process.env.PB_ACKS_SITE;
assert.ok(SAMPLE && GAPS && LARGE && ACKS, "run through run.sh: PB_SAMPLE_SITE, PB_GAPS_SITE, PB_LARGE_SITE and PB_ACKS_SITE are needed");

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".csv": "text/csv", ".svg": "image/svg+xml", ".png": "image/png" };

// A static file server on 127.0.0.1 for one folder; refuses paths outside it.
function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(dir, url);
    if (!file.startsWith(dir)) { res.writeHead(403); return res.end(); }
    if (url.endsWith("/")) file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); return res.end("not found"); }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let browser, sample, gaps, large, acks;
const base = (server) => `http://127.0.0.1:${server.address().port}/`;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  sample = await serve(SAMPLE);
  gaps = await serve(GAPS);
  large = await serve(LARGE);
  acks = await serve(ACKS);
});

after(async () => {
  await browser?.close();
  sample?.close();
  gaps?.close();
  large?.close();
  acks?.close();
});

async function page(options = {}) {
  const context = await browser.newContext(options);
  const p = await context.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  p.errors = errors;
  return p;
}

test("search finds a document as you type, with the match highlighted, and opens it", async () => {
  const p = await page();
  await p.goto(base(sample) + "index.html");
  await p.keyboard.press("/");
  assert.equal(await p.evaluate(() => document.activeElement.id), "pb-search-input");
  await p.keyboard.type("quarterly access");
  const first = p.locator("#pb-search-results .pb-result").first();
  await first.waitFor();
  assert.match(await first.innerText(), /Quarterly Access Review/);
  assert.ok(await p.locator("#pb-search-results mark").count() > 0, "matches are highlighted");
  await p.keyboard.press("ArrowDown");
  assert.equal(await first.getAttribute("aria-selected"), "true");
  await Promise.all([p.waitForURL(/documents\/access-review\.html/), p.keyboard.press("Enter")]);
  assert.match(await p.locator("h1").innerText(), /Quarterly Access Review/);
  assert.deepEqual(p.errors, []);
  await p.context().close();
});

test("searching CC6.1 finds the control and the documents that cover it", async () => {
  const p = await page();
  await p.goto(base(sample) + "documents/access-control.html");
  await p.fill("#pb-search-input", "CC6.1");
  await p.locator("#pb-search-results .pb-result").first().waitFor();
  const titles = await p.locator("#pb-search-results .pb-result-title").allInnerTexts();
  assert.match(titles[0], /^CC6\.1 Logical access security/);
  for (const doc of ["Access Control Policy", "Encryption Standard", "Password and MFA Standard"]) {
    assert.ok(titles.some((t) => t.startsWith(doc)), `${doc} covers CC6.1: ${titles}`);
  }
  await Promise.all([p.waitForURL(/controls\/soc2\/CC6\.1\.html/), p.locator(".pb-result").first().click()]);
  await p.context().close();
});

test("typing while the search index is still loading shows the results when it arrives", async () => {
  const p = await page();
  // A slow network: the index arrives well after the reader has typed.
  await p.route("**/search-index.js", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  await p.goto(base(sample) + "index.html");
  await p.focus("#pb-search-input");
  await p.keyboard.type("backup");
  await p.locator("#pb-search-results .pb-result").first().waitFor({ timeout: 5000 });
  assert.ok(await p.locator("#pb-search-results .pb-result").count() > 0);
  await p.context().close();
});

test("search works from file:// too", async () => {
  const p = await page();
  await p.goto(pathToFileURL(path.join(SAMPLE, "index.html")).href);
  await p.fill("#pb-search-input", "backup restore");
  await p.locator("#pb-search-results .pb-result").first().waitFor();
  assert.match(await p.locator(".pb-result-title").first().innerText(), /Backup Restore Test/);
  assert.ok(await p.locator("#pb-sidebar a").count() >= 29, "the sidebar is filled from file:// as well");
  await p.context().close();
});

test("the search index is deflated, and a browser that cannot inflate it says so", async () => {
  const index = fs.readFileSync(path.join(SAMPLE, "search-index.js"), "utf8");
  assert.match(index, /^window\.policybookSearchIndex="[A-Za-z0-9+/=]+";\n$/);
  const p = await page();
  // A browser from before DecompressionStream (Safari before 16.4, Firefox before 113).
  await p.addInitScript(() => { delete window.DecompressionStream; });
  await p.goto(base(sample) + "index.html");
  await p.fill("#pb-search-input", "backup");
  await p.getByText("The search index could not be loaded.").waitFor({ timeout: 5000 });
  assert.equal(await p.locator("#pb-search-results .pb-result-title").count(), 0);
  await p.context().close();
});

test("the matrix filters to gaps, by category and series, and by text", async () => {
  const p = await page();
  await p.goto(base(gaps) + "matrix.html");
  const visible = () => p.locator("tr.pb-matrix-row:visible");
  const total = await visible().count();
  assert.equal(total, 36);
  await p.check("#pb-filter-gaps");
  assert.equal(await visible().count(), 26);
  for (const gap of await visible().evaluateAll((rows) => rows.map((r) => r.dataset.gap))) assert.equal(gap, "1");
  assert.equal(await p.locator("#pb-filter-count").innerText(), "26 of 36 criteria");
  await p.uncheck("#pb-filter-gaps");
  await p.selectOption("#pb-filter-status", "gap");
  assert.equal(await visible().count(), 26, "the status filter agrees with gaps only");
  await p.selectOption("#pb-filter-status", "covered");
  assert.equal(await visible().count(), 10);
  await p.selectOption("#pb-filter-status", "");
  await p.selectOption("#pb-filter-category", "availability");
  assert.equal(await visible().count(), 3);
  await p.selectOption("#pb-filter-category", "");
  await p.selectOption("#pb-filter-series", "CC6");
  assert.equal(await visible().count(), 8);
  await p.selectOption("#pb-filter-series", "");
  await p.fill("#pb-filter-text", "access review");
  const ids = await visible().evaluateAll((rows) => rows.map((r) => r.querySelector("th a").textContent));
  assert.deepEqual(ids, ["CC6.2", "CC6.3"]);
  assert.equal(await p.locator("tr.pb-matrix-series:visible").count(), 1, "empty series headers hide");
  await p.context().close();
});

test("the acknowledgements page filters people by status and text", async () => {
  const p = await page();
  await p.goto(base(acks) + "acknowledgements.html");
  const visible = () => p.locator("#pb-ack-people tbody tr:visible");
  assert.equal(await visible().count(), 4, "Fay left before the as-of date");
  const count = p.locator("form[data-filter-table] output");
  assert.equal(await count.innerText(), "4 of 4");
  await p.selectOption("form[data-filter-table] select", "lapsed");
  const names = () => visible().evaluateAll((rows) => rows.map((r) => r.querySelector("th").firstChild.textContent.trim()));
  assert.deepEqual(await names(), ["Baker, Ben"]);
  await p.selectOption("form[data-filter-table] select", "");
  await p.fill("form[data-filter-table] input", "pending");
  assert.deepEqual(await names(), ["Eve Evans"]);
  assert.equal(await count.innerText(), "1 of 4");
  await p.goto(base(acks) + "documents/access-control.html");
  const meta = await p.locator("#pb-meta").innerText();
  assert.match(meta, /Acknowledged\s+by 2 of 4 \(version 2\.0\); 1 not yet due; 1 overdue/i);
  await p.context().close();
});

test("the matrix is complete without JavaScript", async () => {
  const p = await page({ javaScriptEnabled: false });
  await p.goto(base(gaps) + "matrix.html");
  assert.equal(await p.locator("tr.pb-matrix-row").count(), 36);
  assert.equal(await p.locator("#pb-matrix-filters").isVisible(), false);
  await p.context().close();
});

test("the matrix and the sidebar stay readable at 2,000 documents and 300 controls", async () => {
  const p = await page({ viewport: { width: 1280, height: 900 } });
  await p.goto(base(large) + "matrix.html");
  // No layout grows with the number of documents: the page never scrolls sideways.
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth) <= 1280);
  const rows = p.locator("tr.pb-matrix-row:visible");
  assert.equal(await rows.count(), 33, "one row per in-scope criterion");
  // Long lists fold: at most four documents show per row, the rest behind "N more".
  const shown = await rows.evaluateAll((rs) => rs.map((r) => r.cells[3].querySelectorAll(":scope > ul > li").length));
  assert.ok(shown.every((n) => n <= 4), `${shown}`);
  assert.ok(await p.locator("tr.pb-matrix-row details.pb-matrix-more").count() >= 33);
  const tall = await rows.evaluateAll((rs) => Math.max(...rs.map((r) => r.getBoundingClientRect().height)));
  assert.ok(tall < 400, `rows stay short: ${tall}px`);
  if (process.env.PB_SCREENSHOTS) await p.screenshot({ path: path.join(process.env.PB_SCREENSHOTS, "matrix-large.png") });

  // The controls view: the register, with the same filters.
  await p.check("input[name=pb-view][value=controls]");
  assert.equal(await rows.count(), 0, "the criteria are hidden");
  const controls = p.locator("tr.pb-control-row:visible");
  assert.equal(await controls.count(), 300);
  assert.equal(await p.locator("#pb-filter-count").innerText(), "300 of 300 controls");
  await p.selectOption("#pb-filter-state", "planned");
  assert.equal(await controls.count(), 6);
  await p.selectOption("#pb-filter-state", "");
  await p.fill("#pb-filter-text", "CTL-150");
  assert.equal(await controls.count(), 1);
  await p.fill("#pb-filter-text", "");
  await p.selectOption("#pb-filter-series", "CC8");
  const series = await controls.evaluateAll((rs) => rs.map((r) => r.dataset.series));
  assert.ok(series.length > 0 && series.every((s) => s.split(" ").includes("CC8")), `${series}`);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth) <= 1280);

  // The sidebar: kinds and folders fold; the current page's kind and folder are open.
  await p.goto(base(large) + "documents/procedure-05-1001.html");
  const kinds = p.locator("#pb-sidebar details.pb-nav-kind");
  assert.equal(await kinds.count(), 4);
  const open = await kinds.evaluateAll((ds) => ds.map((d) => d.open));
  assert.deepEqual(open, [false, true, false, false], "only Procedures is open");
  assert.equal(await p.locator("#pb-sidebar details.pb-nav-folder[open]").count(), 1);
  assert.ok(await p.locator('#pb-sidebar a[aria-current="page"]').isVisible());
  assert.equal(await p.locator("#pb-sidebar a:visible").count(), 100, "one folder: the 100 procedures of assets/");
  await p.locator("#pb-sidebar details.pb-nav-kind > summary").first().click();
  assert.equal(await kinds.first().evaluate((d) => d.open), true);
  await p.context().close();
});

test("dark mode toggles and survives a reload; the system preference is followed", async () => {
  const p = await page({ colorScheme: "light" });
  await p.goto(base(sample) + "index.html");
  const bg = () => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await bg(), "rgb(255, 255, 255)");
  await p.click("#pb-theme-toggle");
  assert.equal(await p.getAttribute("html", "data-theme"), "dark");
  assert.equal(await bg(), "rgb(17, 20, 24)");
  await p.reload();
  assert.equal(await p.getAttribute("html", "data-theme"), "dark");
  assert.equal(await bg(), "rgb(17, 20, 24)");
  assert.equal(await p.getAttribute("#pb-theme-toggle", "aria-pressed"), "true");
  await p.context().close();

  const system = await page({ colorScheme: "dark" });
  await system.goto(base(sample) + "index.html");
  assert.equal(await system.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(17, 20, 24)");
  await system.context().close();
});

test("pages fit a 375 px wide phone and the menu opens the sidebar", async () => {
  const p = await page({ viewport: { width: 375, height: 740 }, isMobile: true });
  for (const url of ["index.html", "documents/access-control.html", "controls/soc2/CC6.1.html", "reviews.html"]) {
    await p.goto(base(sample) + url);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${url} is ${width}px wide`);
  }
  assert.equal(await p.locator("#pb-sidebar").isVisible(), false);
  await p.click("#pb-menu-toggle");
  assert.equal(await p.locator("#pb-sidebar").isVisible(), true);
  assert.equal(await p.getAttribute("#pb-menu-toggle", "aria-expanded"), "true");
  await p.context().close();
});

test("a document prints with its metadata and without navigation", async () => {
  const p = await page();
  await p.goto(base(sample) + "documents/access-control.html");
  await p.emulateMedia({ media: "print" });
  assert.equal(await p.locator(".pb-meta").first().isVisible(), true);
  for (const sel of [".pb-header", "#pb-sidebar", ".pb-footer", ".pb-prev-next"]) {
    assert.equal(await p.locator(sel).isVisible(), false, `${sel} is hidden in print`);
  }
  await p.context().close();
});

test("previous and next follow the handbook's order", async () => {
  const p = await page();
  await p.goto(base(sample) + "documents/access-control.html");
  assert.match(await p.locator("a[rel=prev]").innerText(), /Acceptable Use Policy/);
  assert.match(await p.locator("a[rel=next]").innerText(), /Asset Management Policy/);
  await p.context().close();
});

test("the version switcher keeps the document, and old versions say they are superseded", async () => {
  const p = await page();
  await p.goto(base(sample) + "documents/access-control.html");
  await p.click("#pb-versions summary");
  await Promise.all([p.waitForURL(/v\/v2026\.1\/documents\/access-control\.html$/), p.click("#pb-versions >> text=v2026.1")]);
  const banner = p.locator(".pb-banner");
  assert.match(await banner.innerText(), /Version v2026\.1, superseded by v2026\.2 on 2026-11-30/);
  assert.match(await p.locator(".pb-meta").innerText(), /2\.3/, "the release shows its own text");
  await Promise.all([p.waitForURL(/\/documents\/access-control\.html$/), banner.locator("a").click()]);
  assert.ok(!p.url().includes("/v/"), p.url());
  assert.match(await p.locator(".pb-meta").innerText(), /2\.4/);
  await p.goto(base(sample) + "versions.html");
  assert.equal(await p.locator("tbody tr").count(), 3);
  await p.context().close();
});

test("serve reloads the page after an edit and shows a failed build in an overlay", async () => {
  const server = spawn(process.env.PB_BIN, ["serve", "--port", "0"], { cwd: process.env.PB_LIVE, env: { ...process.env, NO_COLOR: "1" } });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
        if (m) resolve(m[0]);
      });
      server.on("exit", () => reject(new Error("serve exited: " + out)));
    });
    const p = await page();
    await p.goto(url + "documents/access-control.html");
    await p.waitForFunction(() => document.readyState === "complete");
    await p.waitForTimeout(300); // the event stream connects
    const doc = path.join(process.env.PB_LIVE, "policies/access-control.md");
    const original = fs.readFileSync(doc, "utf8");

    // An edit: the open page reloads by itself and shows it.
    fs.writeFileSync(doc, original.replace("Managers confirm every account", "Team leads confirm every account"));
    await p.waitForFunction(() => document.body.innerText.includes("Team leads confirm every account"), null, { timeout: 20000 });

    // A mistake: the page stays, with the errors in an overlay.
    fs.writeFileSync(doc, original.replace("review: semiannual", "review: yearly"));
    const overlay = p.locator("#pb-error-overlay");
    await overlay.waitFor({ timeout: 20000 });
    assert.match(await overlay.innerText(), /policies\/access-control\.md:9: unknown review cadence `yearly`/);
    assert.match(await p.locator("h1").innerText(), /Access Control Policy/);

    // Fixed: the page reloads and the overlay is gone.
    fs.writeFileSync(doc, original);
    await p.waitForFunction(() => !document.getElementById("pb-error-overlay") && document.body.innerText.includes("Managers confirm every account"), null, { timeout: 20000 });
    await p.context().close();
  } finally {
    server.kill("SIGINT");
  }
});

for (const scheme of ["light", "dark"]) {
  test(`axe finds no serious or critical violations (${scheme} theme)`, async () => {
    const p = await page({ colorScheme: scheme });
    const pages = ["index.html", "documents/access-control.html", "controls/soc2/CC6.1.html", "matrix.html", "reviews.html", "acks:acknowledgements.html"];
    const problems = [];
    for (const url of pages) {
      const [site, path] = url.startsWith("acks:") ? [acks, url.slice(5)] : [sample, url];
      await p.goto(base(site) + path);
      await p.addScriptTag({ content: AXE });
      const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical") {
          problems.push(`${url}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    await p.context().close();
  });
}
