// Takes the back-office screenshots in docs/screenshots (run by hand: `node screenshots.mjs`
// in this folder after `cargo build -p madoguchi`). Uses the demo data of `serve --demo`.
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser } from "./support.mjs";

const bin = process.env.MADOGUCHI_BIN ?? resolve(process.cwd(), "../target/debug/madoguchi");
const dataDir = await mkdtemp(join(tmpdir(), "madoguchi-shots-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}`;
const child = spawn(bin, ["serve", "--demo", "--bind", `127.0.0.1:${port}`, "--data-dir", dataDir], {
  stdio: ["ignore", "ignore", "pipe"],
});
// The demo prints each account and its password once, on standard error.
let printed = "";
child.stderr.on("data", (d) => (printed += d));
for (let i = 0; i < 100 && !/kosodate\s+\S+/.test(printed); i++) await new Promise((r) => setTimeout(r, 100));
const password = printed.match(/kosodate\s+(\S+)/)[1];

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
await page.goto(`${url}/staff/login`);
await page.getByLabel("ログインID").fill("kosodate");
await page.getByLabel("パスワード").fill(password);
await page.getByRole("button", { name: "ログイン" }).click();
await page.waitForURL(`${url}/staff`);
const out = resolve(process.cwd(), "../docs/screenshots");
await page.screenshot({ path: join(out, "back-office-inbox.png") });
await page.getByRole("link", { name: /^\d{4}-\d{7}$/ }).first().click();
await page.screenshot({ path: join(out, "back-office-case.png"), fullPage: false });
await browser.close();
child.kill("SIGTERM");
