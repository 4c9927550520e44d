// Helpers for the end-to-end journeys: start the real binary on a free port with a fresh data
// folder, open Debian's Chromium through playwright-core, and check pages with axe-core.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

export async function startServer() {
  const bin = process.env.MADOGUCHI_BIN ?? resolve(process.cwd(), "../target/debug/madoguchi");
  const dataDir = await mkdtemp(join(tmpdir(), "madoguchi-e2e-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ["serve", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, MADOGUCHI_LOG: "warn" },
  });
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, dataDir, stop: () => child.kill("SIGTERM") };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`madoguchi did not start at ${url} (binary: ${bin})`);
}

/** Creates a back-office account with `madoguchi user add` on the server's data folder. */
export function addStaff(server, { login, name, department, counter = false, myNumber = false, password }) {
  const bin = process.env.MADOGUCHI_BIN ?? resolve(process.cwd(), "../target/debug/madoguchi");
  const args = ["user", "add", "--data-dir", server.dataDir, "--login", login, "--name", name];
  if (department) args.push("--department", department);
  else if (counter) args.push("--counter");
  else args.push("--admin");
  if (myNumber) args.push("--my-number-access");
  const result = spawnSync(bin, args, { env: { ...process.env, MADOGUCHI_PASSWORD: password, MADOGUCHI_LOG: "warn" }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`user add failed: ${result.stderr}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A phone-sized page, with or without JavaScript. */
export async function newPage(browser, { javaScriptEnabled }) {
  const context = await browser.newContext({
    javaScriptEnabled,
    // The site's CSP allows only its own scripts; axe is injected by the test.
    bypassCSP: true,
    viewport: { width: 390, height: 844 },
    locale: "ja-JP",
  });
  const page = await context.newPage();
  page.javaScriptEnabled = javaScriptEnabled;
  return page;
}

/** Fails with every axe-core violation (WCAG 2.x A and AA) on the page as it is now. */
export async function expectAccessible(page, what) {
  // axe needs timers, which do not run where JavaScript is off: check the same document,
  // as the server sent it, in a scripted page of the same origin.
  const target = page.javaScriptEnabled ? page : await probeWith(page);
  const options = JSON.stringify({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
  const result = await target.evaluate(`${axeSource}\n;axe.run(document, ${options})`);
  if (target !== page) await target.close();
  const violations = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  if (violations.length > 0) {
    throw new Error(`axe-core found ${violations.length} violation(s) on ${what} (${page.url()}):\n  ${violations.join("\n  ")}`);
  }
  visited.add(what);
}

export const visited = new Set();

async function probeWith(page) {
  const html = await page.content();
  const context = await page.context().browser().newContext({ javaScriptEnabled: true, bypassCSP: true, viewport: { width: 390, height: 844 } });
  const probe = await context.newPage();
  await probe.goto(new URL("/healthz", page.url()).href);
  await probe.setContent(html, { waitUntil: "load" });
  probe.on("close", () => context.close());
  return probe;
}

/** Posts a question page with its 「次へ」 button and waits for the next page. */
export async function next(page) {
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "次へ", exact: true }).click()]);
}

/** Types a date into the three boxes of a date question (西暦). */
export async function fillDate(page, id, { year, month, day }) {
  await page.locator(`#${id}-year`).fill(year);
  await page.locator(`#${id}-month`).fill(month);
  await page.locator(`#${id}-day`).fill(day);
}
